/**
 * Every `mlops` subcommand, in help order. Add one entry per command. A command's modules are
 * evaluated only when it runs: a cold `mlops plots` does not start the registry, image and GitHub
 * code, nor `mlops show` the plot renderer. `webpackMode: "eager"` keeps them in the bundle's one
 * (minified) file rather than in a chunk file per command.
 */
import type { Command } from '../command.js';

export interface CommandEntry {
  name: string;
  load: () => Promise<Command>;
  /** Started before the command's modules load (they take a while to evaluate). */
  prepare?: () => Promise<void>;
}

export const commands: CommandEntry[] = [
  { name: 'show', load: async () => (await import(/* webpackMode: "eager" */ './show.js')).show },
  { name: 'history', load: async () => (await import(/* webpackMode: "eager" */ './history.js')).history },
  { name: 'register', load: async () => (await import(/* webpackMode: "eager" */ './register.js')).register },
  { name: 'promote', load: async () => (await import(/* webpackMode: "eager" */ './promote.js')).promote },
  { name: 'rollback', load: async () => (await import(/* webpackMode: "eager" */ './rollback.js')).rollback },
  { name: 'check-pr', load: async () => (await import(/* webpackMode: "eager" */ './check-pr.js')).checkPr },
  { name: 'promotion-pr', load: async () => (await import(/* webpackMode: "eager" */ './promotion-pr.js')).promotionPr },
  { name: 'gate', load: async () => (await import(/* webpackMode: "eager" */ './gate.js')).gate },
  { name: 'report', load: async () => (await import(/* webpackMode: "eager" */ './report.js')).report },
  { name: 'bump', load: async () => (await import(/* webpackMode: "eager" */ './bump.js')).bump },
  { name: 'image', load: async () => (await import(/* webpackMode: "eager" */ './image.js')).image },
  { name: 'pull', load: async () => (await import(/* webpackMode: "eager" */ './pull.js')).pull },
  {
    name: 'plots',
    load: async () => (await import(/* webpackMode: "eager" */ './plots.js')).plots,
    // The PNG worker boots while this thread evaluates Vega.
    prepare: async () => (await import(/* webpackMode: "eager" */ '../../lib/plots/png-pool.js')).startPngWorkers(),
  },
  { name: 'init', load: async () => (await import(/* webpackMode: "eager" */ './init.js')).init },
  { name: 'protect', load: async () => (await import(/* webpackMode: "eager" */ './protect.js')).protect },
];
