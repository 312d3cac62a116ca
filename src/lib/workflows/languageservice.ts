/**
 * Validation with @actions/languageservice, the parser/validator behind GitHub's VS Code extension:
 * workflow and action schema, expression syntax and contexts, `$/` action inputs, and reusable
 * workflow calls (inputs/secrets). A file provider serves our own files, so `$/actions/x`,
 * `./.github/workflows/x.yml` and `<owner>/mlops-actions/...@ref` all resolve to this repository.
 *
 * The package ships JSON imported without import attributes, which Node's own ESM loader refuses
 * (bundlers and tsx accept it). A tiny load hook adds the attribute for those files only.
 */
import { register } from 'node:module';
import type { FileMap } from './files.js';
import { isActionFile, isTemplateWorkflow, isWorkflowFile, TEMPLATES_DIR } from './files.js';
import type { Finding } from './findings.js';

const JSON_HOOK = `export async function load(url, context, next) {
  if (url.endsWith('.json') && /\\/@actions\\/(languageservice|workflow-parser|expressions)\\//.test(url) && !context.importAttributes?.type) {
    return next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });
  }
  return next(url, context);
}`;

type LanguageService = typeof import('@actions/languageservice');
let loaded: Promise<{ ls: LanguageService; clearCache: () => void; TextDocument: typeof import('vscode-languageserver-textdocument').TextDocument }> | undefined;

function load() {
  loaded ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(JSON_HOOK)}`);
    const ls = await import('@actions/languageservice');
    const cache = (await import('@actions/languageservice/utils/workflow-cache')) as { clearCache: () => void };
    const { TextDocument } = await import('vscode-languageserver-textdocument');
    return { ls, clearCache: cache.clearCache, TextDocument };
  })();
  return loaded;
}

/** Which diagnostics count: errors always; warnings too (our files should be clean of both). */
const IGNORED: RegExp[] = [];

let run = 0;

/**
 * Validate every workflow, template workflow and action.yml in `files`. Templates are validated as
 * workflows (they become `.github/workflows/<name>` in the user's repo).
 */
export async function validateWithLanguageService(files: FileMap): Promise<Finding[]> {
  const { ls, clearCache, TextDocument } = await load();
  // The service caches parses by URI; a fresh prefix per run keeps swapped fixture files honest.
  clearCache();
  const base = `file:///mlops-verify-${++run}`;
  const fileProvider = {
    async getFileContent(ref: { path: string; repository?: string }) {
      const path = ref.path.replace(/^\.\//, '');
      const content = files.get(path);
      if (content === undefined) throw new Error(`not found: ${ref.path}`);
      return { name: path, content };
    },
  };
  const findings: Finding[] = [];
  for (const [path, text] of files) {
    let uri: string;
    if (isWorkflowFile(path) || isActionFile(path)) uri = `${base}/${path}`;
    else if (isTemplateWorkflow(path, text)) uri = `${base}/${TEMPLATES_DIR}/.github/workflows/${path.split('/').pop()}`;
    else continue;
    const doc = TextDocument.create(uri, 'yaml', 1, text);
    const diagnostics = await ls.validate(doc, { fileProvider });
    for (const d of diagnostics) {
      if (d.severity !== undefined && d.severity > 2) continue; // information / hints (cron descriptions)
      const message = typeof d.message === 'string' ? d.message : d.message.value;
      if (IGNORED.some((re) => re.test(message))) continue;
      // The runner evaluates expressions in every field of action.yml inputs, descriptions included,
      // and refuses to load the action ("Failed to load .../action.yml").
      const hint =
        isActionFile(path) && /Unrecognized named-value/.test(message)
          ? ' — GitHub fails to load an action.yml with an expression outside the contexts allowed there (even in a description); write it without ${{ }}'
          : '';
      findings.push({ check: 'languageservice', file: path, line: d.range.start.line + 1, message: message + hint });
    }
  }
  return findings;
}
