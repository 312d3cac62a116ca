/**
 * Plot definitions as DVC reads them: dvc.yaml top-level `plots:` (a path, a path with properties, or
 * an id whose `y` maps data files to fields), plots declared on stage outputs (`stages.<s>.plots`),
 * and the same top-level form in mlops.yml. Paths are relative to the file that declares them and are
 * normalised to repository-relative POSIX paths, as DVC does.
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import { parseYaml } from '../yaml.js';

/** Properties DVC hands to the renderer. x/y are either field names or {file: field(s)} maps. */
export interface PlotProps {
  x?: string | Record<string, string | string[]>;
  y?: string | string[] | Record<string, string | string[]>;
  template?: string;
  title?: string;
  x_label?: string;
  y_label?: string;
  /** CSV/TSV only: false when the file has no header row (columns are then named 0, 1, ...). */
  header?: boolean;
}

export interface PlotDefinition {
  /** The plot id DVC shows: the data path (repo-relative) or the user's id. */
  id: string;
  /** The declaring file (dvc.yaml / mlops.yml, repo-relative) and line, for messages. */
  configFile: string;
  line?: number;
  props: PlotProps;
  /**
   * 'path': the id is a data file or a directory of data files (each becomes its own plot).
   * 'mapped': the id is a name; the data files are the keys of props.y (and props.x).
   */
  kind: 'path' | 'mapped';
}

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.gif', '.svg'] as const;
export const DATA_EXTENSIONS = ['.json', '.csv', '.tsv', '.yaml', '.yml'] as const;

export function isImagePath(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(posix.extname(path).toLowerCase());
}

const RENDER_PROPS = ['x', 'y', 'template', 'title', 'x_label', 'y_label', 'header'] as const;

/** Repo-relative normalised path of `p` declared in a file that lives in `configDir`. */
export function resolvePath(configDir: string, p: string): string {
  const joined = posix.normalize(posix.join(configDir || '.', p.replace(/\\/g, '/')));
  return joined.replace(/^\.\//, '');
}

function pickProps(raw: unknown): PlotProps {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const k of RENDER_PROPS) if (k in (raw as Record<string, unknown>)) out[k] = (raw as Record<string, unknown>)[k];
  return out as PlotProps;
}

/** Rewrite the file keys of an x/y map to repo-relative paths (DVC's `_adjust_sources`). */
function adjustSources(props: PlotProps, configDir: string): PlotProps {
  const out: PlotProps = { ...props };
  for (const axis of ['x', 'y'] as const) {
    const v = props[axis];
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[axis] = Object.fromEntries(Object.entries(v).map(([file, field]) => [resolvePath(configDir, file), field])) as never;
    }
  }
  return out;
}

function checkProps(props: PlotProps, where: { file: string; line?: number; field: string }): void {
  const bad = (what: string) => new UserError(`plot ${where.field}: ${what}`, where);
  const fieldList = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (props.x !== undefined && typeof props.x !== 'string' && !(typeof props.x === 'object' && Object.values(props.x).every(fieldList))) {
    throw bad('`x` must be a field name or a map of data file to field');
  }
  if (props.y !== undefined && !fieldList(props.y) && !(typeof props.y === 'object' && Object.values(props.y).every(fieldList))) {
    throw bad('`y` must be a field name, a list of fields, or a map of data file to field(s)');
  }
  for (const k of ['template', 'title', 'x_label', 'y_label'] as const) {
    if (props[k] !== undefined && typeof props[k] !== 'string') throw bad(`\`${k}\` must be a string`);
  }
}

/**
 * Top-level `plots:` list (dvc.yaml or mlops.yml). `lineOf` maps a YAML path to a line for messages.
 * DVC's rule (`_id_is_path`): an entry is a data path unless its `y` is a map of files.
 */
export function parseTopLevelPlots(
  entries: unknown,
  configFile: string,
  lineOf: (path: (string | number)[]) => number | undefined = () => undefined,
): PlotDefinition[] {
  if (entries === undefined || entries === null) return [];
  const configDir = posix.dirname(configFile) === '.' ? '' : posix.dirname(configFile);
  // DVC 2.x also accepted a mapping {id: props} at the top level; treat it as the list form.
  const list: unknown[] = Array.isArray(entries)
    ? entries
    : typeof entries === 'object'
      ? Object.entries(entries as Record<string, unknown>).map(([k, v]) => ({ [k]: v }))
      : [];
  if (!Array.isArray(entries) && typeof entries !== 'object') {
    throw new UserError('`plots` must be a list', { file: configFile, line: lineOf(['plots']), field: 'plots' });
  }
  const defs: PlotDefinition[] = [];
  list.forEach((entry, i) => {
    const line = lineOf(['plots', i]);
    if (typeof entry === 'string') {
      defs.push({ id: resolvePath(configDir, entry), configFile, line, props: {}, kind: 'path' });
      return;
    }
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new UserError(`plots[${i}] must be a path or a {id: properties} mapping`, { file: configFile, line, field: `plots[${i}]` });
    }
    for (const [id, raw] of Object.entries(entry as Record<string, unknown>)) {
      if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
        throw new UserError(`plots[${i}] "${id}": properties must be a mapping`, { file: configFile, line, field: `plots[${i}].${id}` });
      }
      const props = pickProps(raw);
      checkProps(props, { file: configFile, line, field: `plots[${i}].${id}` });
      const mapped = !!props.y && typeof props.y === 'object' && !Array.isArray(props.y);
      if (mapped) defs.push({ id, configFile, line, props: adjustSources(props, configDir), kind: 'mapped' });
      else if (props.x && typeof props.x === 'object') {
        // DVC: "cannot specify a data source for x without a data source for y".
        throw new UserError(`plot "${id}": \`x\` maps a data file but \`y\` does not; give y as {file: field} too`, {
          file: configFile,
          line,
          field: `plots[${i}].${id}.y`,
        });
      } else defs.push({ id: resolvePath(configDir, id), configFile, line, props, kind: 'path' });
    }
  });
  return defs;
}

/** Plots declared on stage outputs: `stages.<name>.plots: [path | {path: props}]`. */
export function parseStagePlots(
  stages: unknown,
  configFile: string,
  lineOf: (path: (string | number)[]) => number | undefined = () => undefined,
): PlotDefinition[] {
  if (!stages || typeof stages !== 'object') return [];
  const configDir = posix.dirname(configFile) === '.' ? '' : posix.dirname(configFile);
  const defs: PlotDefinition[] = [];
  for (const [stage, body] of Object.entries(stages as Record<string, unknown>)) {
    const plots = body && typeof body === 'object' ? (body as Record<string, unknown>).plots : undefined;
    if (!Array.isArray(plots)) continue;
    plots.forEach((entry, i) => {
      const line = lineOf(['stages', stage, 'plots', i]);
      if (typeof entry === 'string') defs.push({ id: resolvePath(configDir, entry), configFile, line, props: {}, kind: 'path' });
      else if (entry && typeof entry === 'object') {
        for (const [path, raw] of Object.entries(entry as Record<string, unknown>)) {
          const props = pickProps(raw);
          checkProps(props, { file: configFile, line, field: `stages.${stage}.plots[${i}]` });
          defs.push({ id: resolvePath(configDir, path), configFile, line, props, kind: 'path' });
        }
      }
    });
  }
  return defs;
}

/** Every plot definition in a dvc.yaml text: top-level first, then stage outputs (DVC's order). */
export function parseDvcYamlPlots(text: string, file: string): PlotDefinition[] {
  const { value, lineOf } = parseYaml<Record<string, unknown> | null>(text, file);
  if (!value || typeof value !== 'object') return [];
  return [...parseTopLevelPlots(value.plots, file, lineOf), ...parseStagePlots(value.stages, file, lineOf)];
}

/** The data files a definition reads (before directory expansion). */
export function sourcesOf(def: PlotDefinition): string[] {
  if (def.kind === 'path') return [def.id];
  const files = new Set<string>();
  for (const axis of [def.props.y, def.props.x]) if (axis && typeof axis === 'object' && !Array.isArray(axis)) Object.keys(axis).forEach((f) => files.add(f));
  return [...files];
}
