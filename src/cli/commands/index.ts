/** Every `mlops` subcommand, in help order. Add one import and one entry per command. */
import type { Command } from '../command.js';
import { bump } from './bump.js';
import { checkPr } from './check-pr.js';
import { gate } from './gate.js';
import { history } from './history.js';
import { image } from './image.js';
import { init } from './init.js';
import { plots } from './plots.js';
import { promote } from './promote.js';
import { promotionPr } from './promotion-pr.js';
import { protect } from './protect.js';
import { pull } from './pull.js';
import { register } from './register.js';
import { report } from './report.js';
import { rollback } from './rollback.js';
import { show } from './show.js';

export const commands: Command[] = [show, history, register, promote, rollback, checkPr, promotionPr, gate, report, bump, image, pull, plots, init, protect];
