export const id = 186;
export const ids = [186];
export const modules = {

/***/ 6547:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Md: () => (/* binding */ variedKeys),
/* harmony export */   Qq: () => (/* binding */ ConvertError),
/* harmony export */   VS: () => (/* binding */ flatDatapoints)
/* harmony export */ });
/* unused harmony exports INDEX_FIELD, INFERRED_X, INFERRED_Y, inferXY, allDatapoints */
/* harmony import */ var _data_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9582);

const INDEX_FIELD = 'step';
const INFERRED_X = 'dvc_inferred_x_value';
const INFERRED_Y = 'dvc_inferred_y_value';
class ConvertError extends Error {
    file;
    constructor(message, file) {
        super(message);
        this.file = file;
    }
}
function fileFields(map) {
    const out = [];
    for (const [file, v] of Object.entries(map))
        for (const field of Array.isArray(v) ? v : [v])
            out.push({ file, field });
    return out;
}
/** DVC's `_infer_x_y`: turn string / list x and y into {file: field} maps (y inferred from data). */
function inferXY(def, contents) {
    const { x, y } = def.props;
    let yMap;
    if (y === undefined) {
        const content = contents.get(def.id);
        const inferred = content === undefined ? undefined : (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .inferY */ .oe)(content);
        if (!inferred)
            throw new ConvertError(`no records found to plot in ${def.id}`, def.id);
        yMap = { [def.id]: inferred };
    }
    else if (typeof y === 'string' || Array.isArray(y))
        yMap = { [def.id]: y };
    else
        yMap = y;
    let xMap;
    if (typeof x === 'string') {
        xMap = {};
        if (y && typeof y === 'object' && !Array.isArray(y)) {
            for (const [file, fields] of Object.entries(y))
                xMap[file] = Array.isArray(fields) ? fields.map(() => x) : x;
        }
        else
            xMap[def.id] = x;
    }
    else if (x && typeof x === 'object')
        xMap = x;
    return { x: xMap, y: yMap };
}
function commonDirLength(paths) {
    if (paths.length <= 1)
        return 0;
    const split = paths.map((p) => p.split('/'));
    let n = 0;
    while (split.every((s) => n < s.length - 1 && s[n] === split[0][n]))
        n++;
    return n === 0 ? 0 : split[0].slice(0, n).join('/').length;
}
function fieldsIn(points) {
    const keys = new Set();
    for (const p of points.slice(0, 50))
        for (const k of Object.keys(p))
            keys.add(k);
    return [...keys];
}
/**
 * Flatten one revision's data for a plot. `contents` maps repo-relative file -> parsed content; files
 * absent from this revision are simply not in the map (the caller notes them).
 */
function flatDatapoints(def, rev, contents) {
    const { x: xMap, y: yMap } = inferXY(def, contents);
    const pointsOf = new Map();
    for (const [file, content] of contents)
        pointsOf.set(file, (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toDatapoints */ .Zr)(content));
    const verify = (file, field) => {
        const pts = pointsOf.get(file);
        if (!pts)
            return;
        if (!pts.length)
            throw new ConvertError(`no records found in ${file}`, file);
        if (!pts.some((p) => field in p)) {
            throw new ConvertError(`field "${field}" not found in ${file} (fields: ${fieldsIn(pts).join(', ')})`, file);
        }
    };
    const xs = xMap ? fileFields(xMap) : [];
    const ys = fileFields(yMap);
    xs.forEach((d) => verify(d.file, d.field));
    ys.forEach((d) => verify(d.file, d.field));
    const xFiles = [...new Set(xs.map((d) => d.file))];
    const xFields = [...new Set(xs.map((d) => d.field))];
    const yFiles = [...new Set(ys.map((d) => d.file))];
    const yFields = [...new Set(ys.map((d) => d.field))];
    if (xFiles.length > 1 && xFiles.length !== yFiles.length) {
        throw new ConvertError(`cannot have a different number of x and y data sources (${xFiles.length} x, ${yFiles.length} y)`);
    }
    const xName = xFields.length > 1 ? INFERRED_X : (xFields[0] ?? INDEX_FIELD);
    const yName = yFields.length > 1 ? INFERRED_Y : yFields[0];
    const prefix = commonDirLength(yFiles);
    const short = (f) => f.slice(prefix).replace(/^[/\\]+/, '');
    const series = [];
    for (const { file: yFile, field: yField } of ys) {
        const source = pointsOf.get(yFile);
        if (!source)
            continue;
        let xPts;
        let xField;
        if (xs.length) {
            const xFile = xFiles.length > 1 ? yFile : xFiles[0];
            xField = xFiles.length > 1 ? xs.find((d) => d.file === yFile)?.field : xFields.length > 1 ? xs.find((d) => d.file === xFile).field : xFields[0];
            if (!xField)
                throw new ConvertError(`no x value found for y data source ${yFile}`, yFile);
            xPts = pointsOf.get(xFile);
            if (!xPts)
                throw new ConvertError(`x data file ${xFile} is missing`, xFile);
            if (xPts.length !== source.length) {
                throw new ConvertError(`cannot join "${xField}" from ${xFile} and "${yField}" from ${yFile}: they have ${xPts.length} and ${source.length} records`, yFile);
            }
        }
        const filename = short(yFile);
        const xs_ = xPts;
        const xf = xField;
        series.push({
            file: yFile,
            filename,
            field: yField,
            length: source.length,
            x: xs_ ? (i) => xs_[i][xf] : (i) => i,
            y: (i) => source[i][yField],
            point(i) {
                const d = source[i];
                // Object.assign, not `{ ...d, rev, ... }`: the same keys in the same order, and several times
                // faster before V8 has optimised this (a cold process makes a few thousand points).
                const p = Object.assign({}, d);
                p.rev = rev;
                p.filename = filename;
                p.field = yField;
                if (yName === INFERRED_Y && yField in d)
                    p[INFERRED_Y] = d[yField];
                if (xs_) {
                    if (xf in xs_[i])
                        p[xName] = xs_[i][xf];
                }
                else
                    p[INDEX_FIELD] = i;
                return p;
            },
        });
    }
    const xLabel = def.props.x_label ?? (xFields.length === 1 ? xFields[0] : xFields.length > 1 ? 'x' : INDEX_FIELD);
    const yLabel = def.props.y_label ?? (yFields.length === 1 ? yFields[0] : 'y');
    return {
        series,
        x: xName,
        y: yName,
        xLabel,
        yLabel,
        yDefs: ys.map((d) => ({ file: d.file, field: d.field, filename: short(d.file) })),
    };
}
/** Every point of every series, as DVC's `flat_datapoints` returns them. */
function allDatapoints(c) {
    const out = [];
    for (const s of c.series)
        for (let i = 0; i < s.length; i++)
            out.push(s.point(i));
    return out;
}
/** Which of filename / field vary across the series (dvc-render's `_collect_variations`). */
function variedKeys(yDefs) {
    if (yDefs.length <= 1)
        return [];
    const match = [];
    const less = [];
    for (const key of ['filename', 'field']) {
        const n = new Set(yDefs.map((d) => d[key])).size;
        if (n === 1)
            continue;
        (n === yDefs.length ? match : less).push(key);
    }
    // Reverse-sorted, as dvc-render does: 'filename' before 'field'.
    const sortRev = (a, b) => (a < b ? 1 : a > b ? -1 : 0);
    return match.length ? [...match, ...less].sort(sortRev) : less.sort(sortRev);
}


/***/ }),

/***/ 9582:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CR: () => (/* binding */ DEFAULT_MAX_FILE_BYTES),
/* harmony export */   I$: () => (/* binding */ PlotDataError),
/* harmony export */   JD: () => (/* binding */ worktreeReader),
/* harmony export */   MQ: () => (/* binding */ OutsideRepoError),
/* harmony export */   Ro: () => (/* binding */ toNumber),
/* harmony export */   Zr: () => (/* binding */ toDatapoints),
/* harmony export */   co: () => (/* binding */ parseDataFile),
/* harmony export */   jk: () => (/* binding */ escapesRepo),
/* harmony export */   oe: () => (/* binding */ inferY),
/* harmony export */   zP: () => (/* binding */ gitRevisionReader)
/* harmony export */ });
/* unused harmony export parseDelimited */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8815);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_3__);
/**
 * Plot data files (JSON, YAML, CSV, TSV) into DVC "datapoints" (a list of flat-ish records), and the
 * readers that fetch those files from the working tree or from another revision with `git show`.
 */




/** Files bigger than this are refused per plot (a 50 MB CSV would stall the job and say nothing useful). */
const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;
class PlotDataError extends Error {
}
/** A path the plot config names must stay inside the repository (no `..`, no absolute paths). */
function escapesRepo(path) {
    return path === '..' || path.startsWith('../') || node_path__WEBPACK_IMPORTED_MODULE_1__.posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path);
}
class OutsideRepoError extends PlotDataError {
}
/**
 * The working tree. Plot files are published (committed to the assets branch, inlined in reports), so
 * a path or symlink that resolves outside the repository is refused: a pull request must not be able
 * to publish files of the runner.
 */
function worktreeReader(cwd) {
    let rootReal;
    const inside = async (path) => {
        if (escapesRepo(path))
            throw new OutsideRepoError(`${path} is outside the repository`);
        rootReal ??= await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.realpath(cwd);
        let real;
        try {
            real = await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.realpath((0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(cwd, path));
        }
        catch {
            return undefined;
        }
        if (real !== rootReal && !real.startsWith(rootReal + node_path__WEBPACK_IMPORTED_MODULE_1__.sep))
            throw new OutsideRepoError(`${path} resolves outside the repository (symlink)`);
        return real;
    };
    return {
        async read(path) {
            const real = await inside(path);
            if (!real)
                return undefined;
            try {
                return await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.readFile(real);
            }
            catch (e) {
                if (e.code === 'ENOENT' || e.code === 'EISDIR')
                    return undefined;
                throw e;
            }
        },
        async size(path) {
            const real = await inside(path);
            if (!real)
                return undefined;
            const st = await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.stat(real).catch(() => undefined);
            return st?.isFile() ? st.size : undefined;
        },
        async list(dir) {
            const real = await inside(dir);
            if (!real)
                return undefined;
            try {
                const entries = await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.readdir(real, { recursive: true, withFileTypes: true });
                return entries
                    .filter((e) => e.isFile() || e.isSymbolicLink())
                    .map((e) => node_path__WEBPACK_IMPORTED_MODULE_1__.posix.join(dir, (0,node_path__WEBPACK_IMPORTED_MODULE_1__.relative)(real, (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(e.parentPath ?? e.path, e.name)).split(node_path__WEBPACK_IMPORTED_MODULE_1__.sep).join('/')))
                    .sort();
            }
            catch {
                return undefined;
            }
        },
    };
}
/**
 * Reads files as they were at a git revision, for base / serving overlays. Lookups made in the same
 * turn of the event loop share one `git cat-file --batch-check` process and contents one
 * `git cat-file --batch`, so a plot set costs two or three git processes per revision rather than a
 * few per file (each spawn is ~10 ms on a small runner). Answers are kept for the reader's lifetime:
 * make a new reader to see a revision that moved.
 */
function gitRevisionReader(cwd, rev) {
    const objects = new Map();
    const lookup = batched((paths) => catFileCheck(cwd, paths.map((p) => `${rev}:${p}`)));
    const contents = batched((oids) => catFileContents(cwd, oids));
    const object = (path) => {
        let o = objects.get(path);
        if (!o)
            objects.set(path, (o = lookup(path)));
        return o;
    };
    return {
        async read(path) {
            const o = await object(path);
            return o?.type === 'blob' ? contents(o.oid) : undefined;
        },
        async size(path) {
            const o = await object(path);
            return o?.type === 'blob' ? o.size : undefined;
        },
        async list(dir) {
            const res = await gitRaw(['ls-tree', '-r', '--name-only', '-z', `${rev}:${dir}`], cwd);
            if (res.code !== 0)
                return undefined;
            return res.stdout
                .toString('utf8')
                .split('\0')
                .filter(Boolean)
                .map((p) => node_path__WEBPACK_IMPORTED_MODULE_1__.posix.join(dir, p))
                .sort();
        },
    };
}
/** Calls made in the same event-loop turn become one call of `run` with every distinct key. */
function batched(run) {
    let queue;
    return (key) => new Promise((resolve, reject) => {
        if (!queue) {
            const q = (queue = new Map());
            // setImmediate, not a microtask: requests issued from the continuations of an earlier batch
            // (contents after sizes) arrive over several microtask turns and still land in one batch.
            setImmediate(() => {
                queue = undefined;
                const keys = [...q.keys()];
                run(keys).then((values) => keys.forEach((k, i) => q.get(k).forEach((w) => w.resolve(values[i]))), (e) => q.forEach((ws) => ws.forEach((w) => w.reject(e))));
            });
        }
        const waiting = queue.get(key) ?? [];
        waiting.push({ resolve, reject });
        queue.set(key, waiting);
    });
}
/** `git cat-file --batch-check` over object names (one per line): type and size, undefined when missing. */
async function catFileCheck(cwd, names) {
    // The batch protocol is line-based: a name with a newline is asked on its own, the rest together.
    const lined = names.filter((n) => !n.includes('\n'));
    const [batch, single] = await Promise.all([
        lined.length ? gitRaw(['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], cwd, `${lined.join('\n')}\n`) : undefined,
        Promise.all(names.filter((n) => n.includes('\n')).map((n) => catFileCheckOne(cwd, n))),
    ]);
    const lines = batch?.stdout.toString('utf8').split('\n') ?? [];
    let [l, s] = [0, 0];
    return names.map((n) => {
        if (n.includes('\n'))
            return single[s++];
        const m = /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(lines[l++] ?? '');
        return m ? { oid: m[1], type: m[2], size: Number(m[3]) } : undefined;
    });
}
async function catFileCheckOne(cwd, name) {
    const type = await gitRaw(['cat-file', '-t', name], cwd);
    if (type.code !== 0)
        return undefined;
    const [oid, size] = await Promise.all([gitRaw(['rev-parse', '--verify', '--quiet', name], cwd), gitRaw(['cat-file', '-s', name], cwd)]);
    if (oid.code !== 0 || size.code !== 0)
        return undefined;
    return { oid: oid.stdout.toString().trim(), type: type.stdout.toString().trim(), size: Number(size.stdout.toString().trim()) };
}
/** `git cat-file --batch` over object ids: each object's bytes, undefined when missing. */
async function catFileContents(cwd, oids) {
    const res = await gitRaw(['cat-file', '--batch'], cwd, `${oids.join('\n')}\n`);
    const out = [];
    let pos = 0;
    for (let i = 0; i < oids.length; i++) {
        const nl = res.stdout.indexOf(0x0a, pos);
        if (nl < 0) {
            out.push(undefined);
            continue;
        }
        const m = /^\S+ \S+ (\d+)$/.exec(res.stdout.toString('utf8', pos, nl));
        if (!m) {
            out.push(undefined); // "<oid> missing"
            pos = nl + 1;
            continue;
        }
        const size = Number(m[1]);
        out.push(res.stdout.subarray(nl + 1, nl + 1 + size));
        pos = nl + 1 + size + 1;
    }
    return out;
}
// Not git() from ../git/cli.js: contents need stdout as raw bytes (git() decodes UTF-8), and git() lets
// a write to the child's stdin fail with EPIPE when git exits at once (e.g. not a repository).
function gitRaw(args, cwd, input) {
    return new Promise((resolve, reject) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_3__.spawn)('git', args, {
            cwd,
            env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
            stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'ignore'],
        });
        const out = [];
        child.stdout.on('data', (d) => out.push(d));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out) }));
        if (input !== undefined) {
            child.stdin.on('error', () => undefined); // git gone early: its exit code tells
            child.stdin.end(input);
        }
    });
}
/** Lines ending in LF, CRLF or CR (the regex split only when there is a CR: it is the slower one). */
function splitLines(text) {
    return text.includes('\r') ? text.split(/\r?\n|\r/) : text.split('\n');
}
/** RFC 4180-style delimited text (quotes, doubled quotes, CRLF) into rows of cells. */
function parseDelimited(text, delimiter) {
    if (text.charCodeAt(0) === 0xfeff)
        text = text.slice(1);
    // Most metric logs have no quoting at all: split directly (10x faster than the state machine).
    if (!text.includes('"')) {
        const lines = splitLines(text);
        const rows = [];
        for (let i = 0; i < lines.length; i++)
            if (lines[i] !== '')
                rows.push(lines[i].split(delimiter));
        return rows;
    }
    const rows = [];
    let row = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) {
            if (c === '"') {
                if (text[i + 1] === '"') {
                    cell += '"';
                    i++;
                }
                else
                    quoted = false;
            }
            else
                cell += c;
        }
        else if (c === '"' && cell === '')
            quoted = true;
        else if (c === delimiter) {
            row.push(cell);
            cell = '';
        }
        else if (c === '\n' || c === '\r') {
            if (c === '\r' && text[i + 1] === '\n')
                i++;
            row.push(cell);
            rows.push(row);
            row = [];
            cell = '';
        }
        else
            cell += c;
    }
    if (cell !== '' || row.length) {
        row.push(cell);
        rows.push(row);
    }
    return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}
/** Python's csv.DictReader: the first row names the columns (or 0..n-1 when header is false). */
function delimitedRecords(text, delimiter, header) {
    if (text.charCodeAt(0) === 0xfeff)
        text = text.slice(1);
    if (!text.includes('"'))
        return unquotedRecords(text, delimiter, header);
    const rows = parseDelimited(text, delimiter);
    if (!rows.length)
        return [];
    const names = header ? rows[0] : rows[0].map((_, i) => String(i));
    const out = [];
    for (let r = header ? 1 : 0; r < rows.length; r++) {
        const row = rows[r];
        const d = {};
        for (let i = 0; i < names.length; i++)
            d[names[i]] = row[i] ?? null;
        out.push(d);
    }
    uniform.add(out);
    return out;
}
/**
 * delimitedRecords for text without quotes: the same records, cut straight from each line (no array
 * of cells per row: 10,000-row logs are the common case, and a cold process pays for every object).
 */
function unquotedRecords(text, delimiter, header) {
    const lines = splitLines(text);
    const out = [];
    let names;
    for (let r = 0; r < lines.length; r++) {
        const line = lines[r];
        if (line === '')
            continue;
        if (!names) {
            const first = line.split(delimiter);
            names = header ? first : first.map((_, i) => String(i));
            if (header)
                continue;
        }
        const d = {};
        let start = 0;
        for (let i = 0; i < names.length; i++) {
            if (start > line.length) {
                d[names[i]] = null;
                continue;
            }
            let end = line.indexOf(delimiter, start);
            if (end < 0)
                end = line.length;
            d[names[i]] = line.slice(start, end);
            start = end + delimiter.length;
        }
        out.push(d);
    }
    uniform.add(out);
    return out;
}
/** Record lists made from a header row: every record has the same keys, no need to check them. */
const uniform = new WeakSet();
/** The parsed content of a data file (JSON/YAML objects as they are; CSV/TSV as a list of records). */
function parseDataFile(path, buf, opts = {}) {
    const ext = node_path__WEBPACK_IMPORTED_MODULE_1__.posix.extname(path).toLowerCase();
    const text = buf.toString('utf8');
    try {
        switch (ext) {
            case '.json':
                return parseJsonLenient(text);
            case '.yaml':
            case '.yml':
                return (0,yaml__WEBPACK_IMPORTED_MODULE_2__/* .parse */ .qg)(text);
            case '.csv':
                return delimitedRecords(text, ',', opts.header ?? true);
            case '.tsv':
                return delimitedRecords(text, '\t', opts.header ?? true);
            default:
                throw new PlotDataError(`unsupported data file type "${ext || path}" (use .json, .yaml, .csv or .tsv)`);
        }
    }
    catch (e) {
        if (e instanceof PlotDataError)
            throw e;
        throw new PlotDataError(`cannot parse ${path}: ${e.message.split('\n')[0]}`);
    }
}
// Python's json (which wrote most of these files) emits bare NaN / Infinity; JSON.parse rejects them.
function parseJsonLenient(text) {
    try {
        return JSON.parse(text);
    }
    catch (e) {
        if (!/NaN|Infinity/.test(text))
            throw e;
        const fixed = text.replace(/("(?:[^"\\]|\\.)*")|-?\bInfinity\b|\bNaN\b/g, (m, str) => (str ? str : 'null'));
        return JSON.parse(fixed);
    }
}
/** DVC's `_lists`: the list itself, or every list found by walking nested objects. */
function* lists(blob) {
    if (Array.isArray(blob)) {
        yield blob;
        return;
    }
    if (blob && typeof blob === 'object') {
        for (const v of Object.values(blob)) {
            if (Array.isArray(v))
                yield v;
            else if (v && typeof v === 'object')
                yield* lists(v);
        }
    }
}
function isDatapoints(lst) {
    if (lst.length && uniform.has(lst))
        return true;
    if (!lst.length || !lst.every((d) => d !== null && typeof d === 'object' && !Array.isArray(d)))
        return false;
    // Every record's keys are among the first record's (the union of all keys is the first's).
    const first = new Set(Object.keys(lst[0]));
    for (const d of lst)
        for (const k in d)
            if (Object.hasOwn(d, k) && !first.has(k))
                return false;
    return true;
}
/**
 * DVC's `get_datapoints`: every list of uniform records in the file, merged side by side by index
 * (`{"train": [...], "test": [...]}` gives one record per index with both sets of keys).
 * Also accepts a column-oriented object `{"fpr": [..], "tpr": [..]}` (equal-length scalar lists), which
 * DVC itself ignores; it is the natural shape of numpy-dumped curves.
 */
function toDatapoints(content) {
    const found = [...lists(content)].filter(isDatapoints);
    // One list (the usual case): its records are the datapoints; callers copy before changing them.
    if (found.length === 1)
        return found[0];
    const result = [];
    for (const lst of found) {
        lst.forEach((d, i) => {
            result[i] ??= {};
            Object.assign(result[i], d);
        });
    }
    if (result.length || !content || typeof content !== 'object' || Array.isArray(content))
        return result;
    const cols = Object.entries(content).filter(([, v]) => Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'));
    if (!cols.length || new Set(cols.map(([, v]) => v.length)).size !== 1)
        return [];
    return cols[0][1].map((_, i) => Object.fromEntries(cols.map(([k, v]) => [k, v[i]])));
}
/** DVC's y inference when a plot names no y: the last key of the first record. */
function inferY(content) {
    for (const lst of lists(content)) {
        if (lst.length && lst.every((d) => d !== null && typeof d === 'object' && !Array.isArray(d))) {
            const keys = Object.keys(lst[0]);
            return keys[keys.length - 1];
        }
    }
    const pts = toDatapoints(content);
    if (pts.length) {
        const keys = Object.keys(pts[0]);
        return keys[keys.length - 1];
    }
    return undefined;
}
/** A number from a datum value (CSV cells are strings); undefined when it is not numeric. */
function toNumber(v) {
    if (typeof v === 'number')
        return Number.isFinite(v) ? v : undefined;
    if (typeof v === 'boolean')
        return v ? 1 : 0;
    if (typeof v === 'string' && v !== '') {
        const n = Number(v);
        // Number('  ') is 0: only a zero needs the (allocating) check that the text is not blank.
        return Number.isFinite(n) && (n !== 0 || v.trim() !== '') ? n : undefined;
    }
    return undefined;
}


/***/ }),

/***/ 7370:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   GE: () => (/* binding */ DATA_EXTENSIONS),
/* harmony export */   RW: () => (/* binding */ isImagePath),
/* harmony export */   VI: () => (/* binding */ parseTopLevelPlots),
/* harmony export */   qO: () => (/* binding */ parseDvcYamlPlots),
/* harmony export */   u0: () => (/* binding */ sourcesOf)
/* harmony export */ });
/* unused harmony exports IMAGE_EXTENSIONS, resolvePath, parseStagePlots */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7268);
/* harmony import */ var _yaml_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(912);
/**
 * Plot definitions as DVC reads them: dvc.yaml top-level `plots:` (a path, a path with properties, or
 * an id whose `y` maps data files to fields), plots declared on stage outputs (`stages.<s>.plots`),
 * and the same top-level form in mlops.yml. Paths are relative to the file that declares them and are
 * normalised to repository-relative POSIX paths, as DVC does.
 */



const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.gif', '.svg'];
const DATA_EXTENSIONS = ['.json', '.csv', '.tsv', '.yaml', '.yml'];
function isImagePath(path) {
    return IMAGE_EXTENSIONS.includes(node_path__WEBPACK_IMPORTED_MODULE_0__.posix.extname(path).toLowerCase());
}
const RENDER_PROPS = ['x', 'y', 'template', 'title', 'x_label', 'y_label', 'header'];
/** Repo-relative normalised path of `p` declared in a file that lives in `configDir`. */
function resolvePath(configDir, p) {
    const joined = node_path__WEBPACK_IMPORTED_MODULE_0__.posix.normalize(node_path__WEBPACK_IMPORTED_MODULE_0__.posix.join(configDir || '.', p.replace(/\\/g, '/')));
    return joined.replace(/^\.\//, '');
}
function pickProps(raw) {
    if (raw === null || raw === undefined)
        return {};
    if (typeof raw !== 'object' || Array.isArray(raw))
        return {};
    const out = {};
    for (const k of RENDER_PROPS)
        if (k in raw)
            out[k] = raw[k];
    return out;
}
/** Rewrite the file keys of an x/y map to repo-relative paths (DVC's `_adjust_sources`). */
function adjustSources(props, configDir) {
    const out = { ...props };
    for (const axis of ['x', 'y']) {
        const v = props[axis];
        if (v && typeof v === 'object' && !Array.isArray(v)) {
            out[axis] = Object.fromEntries(Object.entries(v).map(([file, field]) => [resolvePath(configDir, file), field]));
        }
    }
    return out;
}
function checkProps(props, where) {
    const bad = (what) => new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`plot ${where.field}: ${what}`, where);
    const fieldList = (v) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
    if (props.x !== undefined && typeof props.x !== 'string' && !(typeof props.x === 'object' && Object.values(props.x).every(fieldList))) {
        throw bad('`x` must be a field name or a map of data file to field');
    }
    if (props.y !== undefined && !fieldList(props.y) && !(typeof props.y === 'object' && Object.values(props.y).every(fieldList))) {
        throw bad('`y` must be a field name, a list of fields, or a map of data file to field(s)');
    }
    for (const k of ['template', 'title', 'x_label', 'y_label']) {
        if (props[k] !== undefined && typeof props[k] !== 'string')
            throw bad(`\`${k}\` must be a string`);
    }
}
/**
 * Top-level `plots:` list (dvc.yaml or mlops.yml). `lineOf` maps a YAML path to a line for messages.
 * DVC's rule (`_id_is_path`): an entry is a data path unless its `y` is a map of files.
 */
function parseTopLevelPlots(entries, configFile, lineOf = () => undefined) {
    if (entries === undefined || entries === null)
        return [];
    const configDir = node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(configFile) === '.' ? '' : node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(configFile);
    // DVC 2.x also accepted a mapping {id: props} at the top level; treat it as the list form.
    const list = Array.isArray(entries)
        ? entries
        : typeof entries === 'object'
            ? Object.entries(entries).map(([k, v]) => ({ [k]: v }))
            : [];
    if (!Array.isArray(entries) && typeof entries !== 'object') {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo('`plots` must be a list', { file: configFile, line: lineOf(['plots']), field: 'plots' });
    }
    const defs = [];
    list.forEach((entry, i) => {
        const line = lineOf(['plots', i]);
        if (typeof entry === 'string') {
            defs.push({ id: resolvePath(configDir, entry), configFile, line, props: {}, kind: 'path' });
            return;
        }
        if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`plots[${i}] must be a path or a {id: properties} mapping`, { file: configFile, line, field: `plots[${i}]` });
        }
        for (const [id, raw] of Object.entries(entry)) {
            if (raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`plots[${i}] "${id}": properties must be a mapping`, { file: configFile, line, field: `plots[${i}].${id}` });
            }
            const props = pickProps(raw);
            checkProps(props, { file: configFile, line, field: `plots[${i}].${id}` });
            const mapped = !!props.y && typeof props.y === 'object' && !Array.isArray(props.y);
            if (mapped)
                defs.push({ id, configFile, line, props: adjustSources(props, configDir), kind: 'mapped' });
            else if (props.x && typeof props.x === 'object') {
                // DVC: "cannot specify a data source for x without a data source for y".
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`plot "${id}": \`x\` maps a data file but \`y\` does not; give y as {file: field} too`, {
                    file: configFile,
                    line,
                    field: `plots[${i}].${id}.y`,
                });
            }
            else
                defs.push({ id: resolvePath(configDir, id), configFile, line, props, kind: 'path' });
        }
    });
    return defs;
}
/** Plots declared on stage outputs: `stages.<name>.plots: [path | {path: props}]`. */
function parseStagePlots(stages, configFile, lineOf = () => undefined) {
    if (!stages || typeof stages !== 'object')
        return [];
    const configDir = node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(configFile) === '.' ? '' : node_path__WEBPACK_IMPORTED_MODULE_0__.posix.dirname(configFile);
    const defs = [];
    for (const [stage, body] of Object.entries(stages)) {
        const plots = body && typeof body === 'object' ? body.plots : undefined;
        if (!Array.isArray(plots))
            continue;
        plots.forEach((entry, i) => {
            const line = lineOf(['stages', stage, 'plots', i]);
            if (typeof entry === 'string')
                defs.push({ id: resolvePath(configDir, entry), configFile, line, props: {}, kind: 'path' });
            else if (entry && typeof entry === 'object') {
                for (const [path, raw] of Object.entries(entry)) {
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
function parseDvcYamlPlots(text, file) {
    const { value, lineOf } = (0,_yaml_js__WEBPACK_IMPORTED_MODULE_2__/* .parseYaml */ .hN)(text, file);
    if (!value || typeof value !== 'object')
        return [];
    return [...parseTopLevelPlots(value.plots, file, lineOf), ...parseStagePlots(value.stages, file, lineOf)];
}
/** The data files a definition reads (before directory expansion). */
function sourcesOf(def) {
    if (def.kind === 'path')
        return [def.id];
    const files = new Set();
    for (const axis of [def.props.y, def.props.x])
        if (axis && typeof axis === 'object' && !Array.isArray(axis))
            Object.keys(axis).forEach((f) => files.add(f));
    return [...files];
}


/***/ }),

/***/ 2840:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   OJ: () => (/* binding */ reduceSeries),
/* harmony export */   d7: () => (/* binding */ SMOOTH_BUCKETS),
/* harmony export */   o4: () => (/* binding */ minMaxBuckets)
/* harmony export */ });
/* unused harmony exports LINE_LIMIT, LINE_BUCKETS, SCATTER_LIMIT, SCATTER_GRID, gridThin */
/**
 * Display downsampling. A 300 px wide chart cannot show 10,000 points per series; drawing them costs
 * seconds and megabytes of SVG. Lines keep their shape with min/max per x-bucket (every spike and dip
 * survives, plus each series' first and last point); scatter plots keep one point per cell of a grid
 * finer than the pixels. Works on numeric columns and returns the indices to keep, so no per-point
 * object is made for points that are dropped. The caller always adds a note saying what was reduced.
 */
/** Series longer than this are reduced. */
const LINE_LIMIT = 2_000;
/**
 * Buckets per line series (two points each, min and max): one per pixel of the 300 px wide chart,
 * which draws every spike and dip the full series has at that width (400 drew no more than a few
 * sub-pixel edges, for a third more marks to lay out and rasterise).
 */
const LINE_BUCKETS = 300;
/**
 * Buckets of the loess input of a reduced series (`smooth`): loess is quadratic in the points, and its
 * curve over min/max pairs of 200 buckets stays within 0.15 % of the y range of the curve over all
 * 10,000 points (300 buckets, the drawn points: 0.1 %), at under half the cost.
 */
const SMOOTH_BUCKETS = 200;
const SCATTER_LIMIT = 3_000;
/**
 * Cells per axis: 3.75 px at the 300 px chart size, the outer radius of a point mark (2.7 px plus half
 * its 2 px stroke), so a dropped point's circle lies mostly under a kept one's. 120 cells drew a solid
 * band of overlapping circles with twice the marks (5 x 10,000-point bench: 875 vs 436 per series,
 * 0.1 s of the cold render).
 */
const SCATTER_GRID = 80;
/** Indices of `idx` ordered by x (stable; untouched when already ordered). */
function byX(xs, idx) {
    for (let k = 1; k < idx.length; k++)
        if (xs[idx[k - 1]] > xs[idx[k]])
            return [...idx].sort((a, b) => xs[a] - xs[b] || a - b);
    return idx;
}
/** Min/max per equal-width x bucket, plus first and last; indices in x order. */
function minMaxBuckets(xs, ys, idx, buckets = LINE_BUCKETS) {
    const sorted = byX(xs, idx);
    if (sorted.length <= 2)
        return sorted;
    const x0 = xs[sorted[0]];
    const width = (xs[sorted[sorted.length - 1]] - x0) / buckets || 1;
    const keep = new Uint8Array(xs.length);
    keep[sorted[0]] = 1;
    keep[sorted[sorted.length - 1]] = 1;
    let bucket = -1;
    let lo = -1;
    let hi = -1;
    for (const i of sorted) {
        const b = Math.min(buckets - 1, Math.floor((xs[i] - x0) / width));
        if (b !== bucket) {
            if (lo >= 0)
                keep[lo] = keep[hi] = 1;
            bucket = b;
            lo = hi = i;
        }
        else {
            if (ys[i] < ys[lo])
                lo = i;
            if (ys[i] > ys[hi])
                hi = i;
        }
    }
    if (lo >= 0)
        keep[lo] = keep[hi] = 1;
    return sorted.filter((i) => keep[i]);
}
/** One point per grid cell (first seen wins), in input order. */
function gridThin(xs, ys, idx, grid = SCATTER_GRID) {
    let [xmin, xmax, ymin, ymax] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const i of idx) {
        if (xs[i] < xmin)
            xmin = xs[i];
        if (xs[i] > xmax)
            xmax = xs[i];
        if (ys[i] < ymin)
            ymin = ys[i];
        if (ys[i] > ymax)
            ymax = ys[i];
    }
    const sx = (xmax - xmin) / grid || 1;
    const sy = (ymax - ymin) / grid || 1;
    const seen = new Set();
    return idx.filter((i) => {
        const cell = Math.floor((xs[i] - xmin) / sx) * (grid + 1) + Math.floor((ys[i] - ymin) / sy);
        if (seen.has(cell))
            return false;
        seen.add(cell);
        return true;
    });
}
/** The indices of one series to draw: all of them when short, else reduced. */
function reduceSeries(xs, ys, idx, kind) {
    if (idx.length <= (kind === 'line' ? LINE_LIMIT : SCATTER_LIMIT))
        return idx;
    return kind === 'line' ? minMaxBuckets(xs, ys, idx) : gridThin(xs, ys, idx);
}


/***/ }),

/***/ 8276:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ fallbackFor)
/* harmony export */ });
/* unused harmony export MERMAID_POINTS */
/* harmony import */ var markdown_table__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3116);
/* harmony import */ var _data_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9582);
/* harmony import */ var _templates_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3811);
/**
 * Fallbacks GitHub renders natively when images cannot be hosted (`image-host: none`, or a fork PR
 * whose token cannot write contents): a Mermaid `xychart-beta` for line and bar plots and a markdown
 * table for confusion matrices. Scatter plots have no native equivalent.
 */



/** Points per line in the Mermaid chart: xychart spreads values evenly over the x range. */
const MERMAID_POINTS = 25;
const COLOR_NAMES = {
    '#945dd6': 'purple',
    '#13adc7': 'teal',
    '#f46837': 'orange',
    '#48bb78': 'green',
    '#4299e1': 'blue',
    '#ed8936': 'amber',
    '#f56565': 'red',
};
const quote = (s) => `"${s.replace(/"/g, "'").replace(/[\r\n]+/g, ' ')}"`;
function fmt(n) {
    if (!Number.isFinite(n))
        return '0';
    if (n === 0)
        return '0';
    const r = Number(n.toPrecision(4));
    // Mermaid's number grammar has no exponent: 1e-7 must be written out.
    return /e/i.test(String(r)) ? r.toFixed(12).replace(/\.?0+$/, '') : String(r);
}
function seriesOf(values, multiFile) {
    const m = new Map();
    for (const d of values) {
        const key = multiFile ? `${String(d.rev)} · ${String(d.filename)}${d.field !== undefined ? ` · ${String(d.field)}` : ''}` : String(d.rev);
        let s = m.get(key);
        if (!s)
            m.set(key, (s = []));
        s.push(d);
    }
    return m;
}
function interpolate(points, x) {
    if (x <= points[0][0])
        return points[0][1];
    const last = points[points.length - 1];
    if (x >= last[0])
        return last[1];
    let lo = 0;
    let hi = points.length - 1;
    while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (points[mid][0] <= x)
            lo = mid;
        else
            hi = mid;
    }
    const [x0, y0] = points[lo];
    const [x1, y1] = points[hi];
    return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}
function initLine(colors) {
    return `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "${colors.join(', ')}"}}}}%%`;
}
function legend(names, colors) {
    return names.map((n, i) => `${COLOR_NAMES[colors[i]] ?? colors[i]}: ${n}`).join(' · ');
}
function lineChart(input) {
    const multiFile = new Set(input.values.map((d) => `${String(d.filename)}|${String(d.field)}`)).size > 1;
    const series = [...seriesOf(input.values, multiFile)].map(([name, pts]) => {
        const xy = pts
            .map((d) => [(0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(d[input.x]), (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(d[input.y])])
            .filter((p) => p[0] !== undefined && p[1] !== undefined)
            .sort((a, b) => a[0] - b[0]);
        return { name, xy };
    }).filter((s) => s.xy.length);
    if (!series.length)
        return { markdown: '', notes: ['no numeric data for a Mermaid chart'] };
    const xmin = Math.min(...series.map((s) => s.xy[0][0]));
    const xmax = Math.max(...series.map((s) => s.xy[s.xy.length - 1][0]));
    const n = xmax > xmin ? MERMAID_POINTS : 1;
    const grid = Array.from({ length: n }, (_, i) => (n === 1 ? xmin : xmin + ((xmax - xmin) * i) / (n - 1)));
    const lines = series.map((s) => grid.map((x) => interpolate(s.xy, x)));
    const all = lines.flat();
    const [ymin, ymax] = [Math.min(...all), Math.max(...all)];
    const colors = series.map((_, i) => _templates_js__WEBPACK_IMPORTED_MODULE_1__/* .DVC_PALETTE */ .OQ[i % _templates_js__WEBPACK_IMPORTED_MODULE_1__/* .DVC_PALETTE */ .OQ.length]);
    const mermaid = [
        initLine(colors),
        'xychart-beta',
        `    title ${quote(input.title)}`,
        `    x-axis ${quote(input.xLabel)} ${fmt(xmin)} --> ${fmt(xmax === xmin ? xmin + 1 : xmax)}`,
        `    y-axis ${quote(input.yLabel)} ${fmt(ymin)} --> ${fmt(ymax === ymin ? ymin + 1 : ymax)}`,
        ...lines.map((l) => `    line [${l.map(fmt).join(', ')}]`),
    ].join('\n');
    const names = series.map((s) => s.name);
    const resampled = series.some((s) => s.xy.length !== n);
    return {
        mermaid,
        markdown: ['```mermaid', mermaid, '```', '', legend(names, colors)].join('\n'),
        notes: resampled ? [`Mermaid chart resampled to ${n} evenly spaced ${input.xLabel} values`] : [],
    };
}
function barChart(input) {
    // xychart draws several bar series on top of each other, so revisions become neighbouring categories.
    const cats = [];
    const vals = [];
    const multiRev = new Set(input.values.map((d) => String(d.rev))).size > 1;
    const byCat = new Map();
    for (const d of input.values) {
        const c = String(d[input.y]);
        let l = byCat.get(c);
        if (!l)
            byCat.set(c, (l = []));
        l.push(d);
    }
    let entries = [...byCat];
    if (input.template === 'bar_horizontal_sorted') {
        const max = (ds) => Math.max(...ds.map((d) => (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(d[input.x]) ?? -Infinity));
        entries = entries.sort((a, b) => max(b[1]) - max(a[1]));
    }
    for (const [cat, ds] of entries) {
        for (const rev of input.revs) {
            for (const d of ds.filter((v) => String(v.rev) === rev)) {
                cats.push(multiRev ? `${cat} (${rev})` : cat);
                vals.push((0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(d[input.x]) ?? 0);
            }
        }
    }
    const mermaid = [
        initLine([_templates_js__WEBPACK_IMPORTED_MODULE_1__/* .DVC_PALETTE */ .OQ[0]]),
        'xychart-beta horizontal',
        `    title ${quote(input.title)}`,
        `    x-axis [${cats.map(quote).join(', ')}]`,
        `    y-axis ${quote(input.xLabel)}`,
        `    bar [${vals.map(fmt).join(', ')}]`,
    ].join('\n');
    return { mermaid, markdown: ['```mermaid', mermaid, '```'].join('\n'), notes: [] };
}
function confusionTables(input) {
    const normalized = input.template === 'confusion_normalized';
    const multiFile = new Set(input.values.map((d) => String(d.filename))).size > 1;
    const groups = new Map();
    for (const rev of input.revs) {
        for (const d of input.values.filter((v) => String(v.rev) === rev)) {
            const key = multiFile ? `${rev} · ${String(d.filename)}` : rev;
            let g = groups.get(key);
            if (!g)
                groups.set(key, (g = []));
            g.push(d);
        }
    }
    const sortCats = (vs) => [...vs].sort((a, b) => ((0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(a) !== undefined && (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(b) !== undefined ? (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(a) - (0,_data_js__WEBPACK_IMPORTED_MODULE_0__/* .toNumber */ .Ro)(b) : a < b ? -1 : a > b ? 1 : 0));
    const parts = [];
    for (const [name, ds] of groups) {
        const xs = sortCats(new Set(ds.map((d) => String(d[input.x]))));
        const ys = sortCats(new Set(ds.map((d) => String(d[input.y]))));
        const count = new Map();
        for (const d of ds) {
            const k = `${String(d[input.y])}\u0000${String(d[input.x])}`;
            count.set(k, (count.get(k) ?? 0) + 1);
        }
        const rows = ys.map((yv) => {
            const cells = xs.map((xv) => count.get(`${yv}\u0000${xv}`) ?? 0);
            const sum = cells.reduce((a, b) => a + b, 0);
            return [yv, ...cells.map((c) => (normalized ? (sum ? (c / sum).toFixed(2) : '0.00') : String(c)))];
        });
        const table = (0,markdown_table__WEBPACK_IMPORTED_MODULE_2__/* .markdownTable */ .Q)([[`${input.yLabel} \\ ${input.xLabel}`, ...xs], ...rows], { align: ['l', ...xs.map(() => 'r')] });
        parts.push(`**${name}**\n\n${table}`);
    }
    const md = parts.join('\n\n');
    return { markdownTable: md, markdown: md, notes: [] };
}
/** The native fallback of one plot, or undefined for templates that have none (scatter). */
function fallbackFor(input) {
    switch (input.template) {
        case 'simple':
        case 'linear':
        case 'smooth':
            return lineChart(input);
        case 'bar_horizontal':
        case 'bar_horizontal_sorted':
            return barChart(input);
        case 'confusion':
        case 'confusion_normalized':
            return confusionTables(input);
        default:
            return undefined;
    }
}


/***/ }),

/***/ 3983:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bw: () => (/* binding */ plotFiles),
/* harmony export */   qL: () => (/* binding */ writePlotFiles)
/* harmony export */ });
/* unused harmony export slug */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/** File names for rendered plots, shared by the asset branch, `--out` directories and artifacts. */


/** A file-name-safe form of a plot id: `eval/plots/roc.json` -> `eval-plots-roc`. */
function slug(id) {
    const s = id
        .replace(/\.(json|ya?ml|csv|tsv|png|jpe?g|gif|svg)$/i, '')
        .replace(/[^A-Za-z0-9._-]+/g, '-')
        .replace(/^[-.]+|-+$/g, '')
        .replace(/-{2,}/g, '-');
    return s.slice(0, 120) || 'plot';
}
/**
 * Every file of a report: `<slug>.png` + `<slug>.svg` per chart, `<slug>-<rev>.<ext>` per image (an SVG
 * image also as `<slug>-<rev>.png`, role 'image', with the original as role 'svg').
 */
function plotFiles(rendered) {
    const used = new Set();
    const unique = (base) => {
        let name = base;
        for (let i = 2; used.has(name); i++)
            name = `${base}-${i}`;
        used.add(name);
        return name;
    };
    const files = [];
    for (const p of rendered) {
        const base = unique(slug(p.id));
        if (p.png)
            files.push({ name: `${base}.png`, content: p.png, plotId: p.id, role: 'png' });
        if (p.svg)
            files.push({ name: `${base}.svg`, content: p.svg, plotId: p.id, role: 'svg' });
        for (const img of p.images) {
            const ext = img.path.slice(img.path.lastIndexOf('.')).toLowerCase();
            const name = `${base}-${slug(img.rev)}`;
            if (img.png) {
                files.push({ name: `${name}.png`, content: img.png, plotId: p.id, role: 'image', rev: img.rev });
                files.push({ name: `${name}${ext}`, content: img.data, plotId: p.id, role: 'svg', rev: img.rev });
            }
            else
                files.push({ name: `${name}${ext}`, content: img.data, plotId: p.id, role: 'image', rev: img.rev });
        }
    }
    return files;
}
/** Write the report's files under `dir` (for upload-artifact or `mlops plots --out`). Returns paths. */
function writePlotFiles(dir, files) {
    return files.map((f) => {
        const path = (0,node_path__WEBPACK_IMPORTED_MODULE_1__.join)(dir, f.name);
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync)((0,node_path__WEBPACK_IMPORTED_MODULE_1__.dirname)(path), { recursive: true });
        (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.writeFileSync)(path, f.content);
        return path;
    });
}


/***/ }),

/***/ 7195:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   K: () => (/* binding */ plotsHtml)
/* harmony export */ });
/* harmony import */ var _index_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6796);
var __webpack_async_dependencies__ = __webpack_handle_async_dependencies__([_index_js__WEBPACK_IMPORTED_MODULE_0__]);
_index_js__WEBPACK_IMPORTED_MODULE_0__ = (__webpack_async_dependencies__.then ? (await __webpack_async_dependencies__)() : __webpack_async_dependencies__)[0];

const esc = (s) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
function plotsHtml(rendered) {
    const parts = rendered.map((p) => {
        const body = [];
        if (p.svg)
            body.push(`<div class="plot-svg">${p.svg}</div>`);
        for (const img of p.images) {
            body.push(`<figure class="plot-image"><img alt="${esc(`${p.title} (${img.rev})`)}" src="data:${img.mime};base64,${img.data.toString('base64')}"><figcaption>${esc(img.rev)}</figcaption></figure>`);
        }
        const notes = p.notes.map((n) => `<li>${esc(n)}</li>`).join('');
        const problems = p.problems.map((q) => `<li class="plot-problem">${esc((0,_index_js__WEBPACK_IMPORTED_MODULE_0__/* .describeProblem */ .BJ)(q))}</li>`).join('');
        return [
            `<section class="plot" id="plot-${esc(p.id.replace(/[^A-Za-z0-9_-]+/g, '-'))}">`,
            `<h3>${esc(p.title)}</h3>`,
            ...body,
            notes || problems ? `<ul class="plot-notes">${problems}${notes}</ul>` : '',
            '</section>',
        ].join('\n');
    });
    return `<div class="plots">\n${parts.join('\n')}\n</div>`;
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } });

/***/ }),

/***/ 6796:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BJ: () => (/* binding */ describeProblem),
/* harmony export */   Bw: () => (/* reexport safe */ _files_js__WEBPACK_IMPORTED_MODULE_12__.Bw),
/* harmony export */   DJ: () => (/* reexport safe */ _png_pool_js__WEBPACK_IMPORTED_MODULE_9__.DJ),
/* harmony export */   Kb: () => (/* reexport safe */ _html_js__WEBPACK_IMPORTED_MODULE_13__.K),
/* harmony export */   XM: () => (/* binding */ loadPlots),
/* harmony export */   qL: () => (/* reexport safe */ _files_js__WEBPACK_IMPORTED_MODULE_12__.qL),
/* harmony export */   x3: () => (/* binding */ renderPlots)
/* harmony export */ });
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7268);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1025);
/* harmony import */ var _convert_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(6547);
/* harmony import */ var _data_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(9582);
/* harmony import */ var _definitions_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(7370);
/* harmony import */ var _downsample_js__WEBPACK_IMPORTED_MODULE_14__ = __webpack_require__(2840);
/* harmony import */ var _fallback_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(8276);
/* harmony import */ var _png_pool_js__WEBPACK_IMPORTED_MODULE_9__ = __webpack_require__(4282);
/* harmony import */ var _render_js__WEBPACK_IMPORTED_MODULE_10__ = __webpack_require__(7050);
/* harmony import */ var _templates_js__WEBPACK_IMPORTED_MODULE_11__ = __webpack_require__(3811);
/* harmony import */ var _files_js__WEBPACK_IMPORTED_MODULE_12__ = __webpack_require__(3983);
/* harmony import */ var _html_js__WEBPACK_IMPORTED_MODULE_13__ = __webpack_require__(7195);
var __webpack_async_dependencies__ = __webpack_handle_async_dependencies__([_render_js__WEBPACK_IMPORTED_MODULE_10__, _html_js__WEBPACK_IMPORTED_MODULE_13__]);
([_render_js__WEBPACK_IMPORTED_MODULE_10__, _html_js__WEBPACK_IMPORTED_MODULE_13__] = __webpack_async_dependencies__.then ? (await __webpack_async_dependencies__)() : __webpack_async_dependencies__);
/**
 * DVC plots for PR reports and the CLI: definitions -> data per revision -> Vega-Lite (DVC templates)
 * -> SVG -> PNG, plus Mermaid / markdown fallbacks and an HTML fragment.
 *
 * Public API (used by cml-report and `mlops plots`):
 *
 *   const set = await loadPlots({
 *     cwd,                               // repository root
 *     dvcYaml: 'dvc.yaml',               // or a list, or false; default: every dvc.yaml in the work tree
 *     mlopsPlots: config.plots,          // mlops.yml `plots:` (same forms as dvc.yaml)
 *     revs: [{ name: 'base', ref: 'origin/main' }, { name: 'head' }],  // no ref = working tree
 *   });
 *   const rendered = await renderPlots(set);           // RenderedPlot[], one per plot, in order
 *   //   .png (Buffer, 2x) .svg .spec .width/.height    when the chart rendered
 *   //   .images                                        image plots (png/jpg/svg) passed through, per rev
 *   //   .notes[]                                       "missing in base", "downsampled for display", ...
 *   //   .problems[]  {plot, file?, rev?, message}      why this plot (or a revision of it) is not shown
 *   //   .mermaid / .markdownTable / .fallbackMarkdown  GitHub-native fallback (no image hosting)
 *   plotFiles(rendered)        -> [{name: '<slug>.png', content}, ...]  (see ./files.ts)
 *   plotsHtml(rendered)        -> self-contained HTML fragment with inline SVG (see ./html.ts)
 *   hostPlotAssets(...)        -> commit the files to an orphan branch (src/lib/github/assets.ts)
 *
 * Nothing here throws for bad plot data: every per-plot failure becomes a problem on that plot and
 * the other plots still render. Only an unreadable dvc.yaml / mlops.yml `plots:` section throws a
 * UserError (file, line), because then no plot can be trusted.
 */


















const MIME = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml' };
/**
 * Every dvc.yaml of the working tree, as DVC collects plots from all of them: the files git knows or
 * would track (gitignored ones skipped), root first. Outside a git work tree: the root dvc.yaml.
 */
async function discoverDvcYamls(cwd) {
    const res = await new Promise((resolve) => {
        const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', 'dvc.yaml', '**/dvc.yaml'], {
            cwd,
            stdio: ['ignore', 'pipe', 'ignore'],
        });
        let out = '';
        child.stdout.on('data', (d) => (out += d.toString('utf8')));
        child.on('error', () => resolve({ code: 1, out: '' }));
        child.on('close', (code) => resolve({ code: code ?? 1, out }));
    });
    if (res.code !== 0)
        return (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(cwd, 'dvc.yaml')) ? ['dvc.yaml'] : [];
    const files = [...new Set(res.out.split('\0').filter(Boolean))].filter((f) => (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(cwd, f)));
    return files.sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : a > b ? 1 : 0));
}
async function plotDefinitions(opts) {
    const defs = [];
    const dvcFiles = opts.dvcYaml === false ? [] : opts.dvcYaml === undefined ? await discoverDvcYamls(opts.cwd) : [opts.dvcYaml].flat();
    for (const f of dvcFiles) {
        const full = (0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(opts.cwd, f);
        if (!(0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)(full)) {
            if (opts.dvcYaml !== undefined)
                opts.logger?.warning(`${f} not found; no DVC plots read from it`, { file: f });
            continue;
        }
        defs.push(...(0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .parseDvcYamlPlots */ .qO)((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)(full, 'utf8'), f));
    }
    if (opts.mlopsPlots?.length)
        defs.push(...(0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .parseTopLevelPlots */ .VI)(opts.mlopsPlots, opts.mlopsFile ?? 'mlops.yml'));
    // The same id declared twice (top level and on a stage out, or in both files): DVC merges the
    // properties into one plot, later keys winning.
    const byId = new Map();
    for (const d of defs) {
        const prev = byId.get(d.id);
        if (prev && prev.kind === d.kind)
            prev.props = { ...prev.props, ...d.props };
        else if (!prev)
            byId.set(d.id, { ...d, props: { ...d.props } });
    }
    return [...byId.values()];
}
function readersFor(opts) {
    return opts.revs.map((r) => ({
        name: r.name,
        reader: memoized(opts.readers?.[r.name] ?? (r.ref ? (0,_data_js__WEBPACK_IMPORTED_MODULE_6__/* .gitRevisionReader */ .zP)(opts.cwd, r.ref) : (0,_data_js__WEBPACK_IMPORTED_MODULE_6__/* .worktreeReader */ .JD)(opts.cwd))),
    }));
}
/**
 * One answer per path for the duration of a loadPlots call, so that every file can be asked for up
 * front, all at once (the git reader batches what is asked together), and then taken in order.
 */
function memoized(reader) {
    const cache = { read: new Map(), size: new Map(), list: new Map() };
    const memo = (kind, path, get) => {
        const map = cache[kind];
        let p = map.get(path);
        if (!p)
            map.set(path, (p = get()));
        return p;
    };
    return {
        read: (path) => memo('read', path, () => reader.read(path)),
        size: (path) => memo('size', path, () => reader.size(path)),
        list: (path) => memo('list', path, () => reader.list(path)),
    };
}
/** Ask every reader for `paths` at once (contents too when `maxBytes` is given); answers land in the memo. */
function prefetch(readers, paths, maxBytes) {
    return Promise.all(readers.flatMap(({ reader }) => paths.map((path) => reader
        .size(path)
        .then((size) => (maxBytes !== undefined && size !== undefined && size <= maxBytes ? reader.read(path) : undefined))
        // The ordered pass that follows asks again and reports the failure where it belongs.
        .catch(() => undefined))));
}
const isPlotFile = (p) => (0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .isImagePath */ .RW)(p) || _definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .DATA_EXTENSIONS */ .GE.includes(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.extname(p).toLowerCase());
/** Is `parent` the path itself or a directory above it? */
const isParent = (parent, p) => p === parent || p.startsWith(`${parent}/`);
/** Path plots may name directories: each data / image file in one becomes its own plot (as in DVC). */
async function expand(defs, readers) {
    const pathIds = defs.filter((d) => d.kind === 'path').map((d) => d.id);
    await prefetch(readers, pathIds.filter((id) => !(0,_data_js__WEBPACK_IMPORTED_MODULE_6__/* .escapesRepo */ .jk)(id)));
    const out = [];
    const missing = [];
    for (const def of defs) {
        const outside = (0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .sourcesOf */ .u0)(def).find(_data_js__WEBPACK_IMPORTED_MODULE_6__/* .escapesRepo */ .jk);
        if (outside) {
            missing.push({ def, reason: `${outside} is outside the repository; plot paths must stay inside it` });
            continue;
        }
        if (def.kind === 'mapped') {
            out.push(def);
            continue;
        }
        let isFile = false;
        const files = [];
        try {
            for (const { reader } of readers) {
                if ((await reader.size(def.id)) !== undefined) {
                    isFile = true;
                    break;
                }
                for (const f of (await reader.list(def.id)) ?? [])
                    if (!files.includes(f))
                        files.push(f);
            }
        }
        catch (e) {
            if (!(e instanceof _data_js__WEBPACK_IMPORTED_MODULE_6__/* .OutsideRepoError */ .MQ))
                throw e;
            missing.push({ def, reason: e.message });
            continue;
        }
        if (isFile || (!files.length && isPlotFile(def.id))) {
            if (isFile)
                out.push(def);
            else
                missing.push({ def });
            continue;
        }
        if (!files.length) {
            missing.push({ def });
            continue;
        }
        for (const f of files.sort()) {
            if (!isPlotFile(f))
                continue;
            // The closest declared parent owns the file (a file declared on its own keeps its own props).
            const owner = pathIds.filter((id) => isParent(id, f)).sort((a, b) => b.length - a.length)[0];
            if (owner !== def.id || defs.some((d) => d.id === f && d !== def))
                continue;
            out.push({ ...def, id: f, props: { ...def.props } });
        }
    }
    return { defs: out, missing };
}
/** DVC's `_find_template`: `.dvc/plots/<name>[.json]`, then `<name>` as a repo path. */
function findCustomTemplate(cwd, name) {
    for (const p of [node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join('.dvc/plots', name), node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join('.dvc/plots', `${name}.json`), name]) {
        if (!p.startsWith('..') && (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(cwd, p)) && (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.statSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(cwd, p)).isFile())
            return p;
    }
    return undefined;
}
/** Read definitions and every revision's data files. Never throws for data problems. */
async function loadPlots(opts) {
    const log = opts.logger ?? _log_js__WEBPACK_IMPORTED_MODULE_4__/* .silentLogger */ .qq;
    const maxBytes = opts.maxFileBytes ?? _data_js__WEBPACK_IMPORTED_MODULE_6__/* .DEFAULT_MAX_FILE_BYTES */ .CR;
    const readers = readersFor(opts);
    const revNames = readers.map((r) => r.name);
    const declared = await plotDefinitions(opts);
    const { defs, missing } = await expand(declared, readers);
    const plots = [];
    // Not awaited: the ordered loop below awaits each answer where it needs it.
    void prefetch(readers, [...new Set(defs.flatMap(_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .sourcesOf */ .u0))].filter((f) => !(0,_data_js__WEBPACK_IMPORTED_MODULE_6__/* .escapesRepo */ .jk)(f)), maxBytes);
    for (const { def, reason } of missing) {
        plots.push({
            id: def.id,
            title: def.props.title ?? def.id,
            kind: (0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .isImagePath */ .RW)(def.id) ? 'image' : 'vega',
            definition: def,
            data: [],
            images: [],
            notes: [],
            problems: [
                { plot: def.id, file: def.id, configFile: def.configFile, line: def.line, message: reason ?? `${def.id} not found in ${revNames.join(', ')}` },
            ],
        });
    }
    for (const def of defs) {
        const image = def.kind === 'path' && (0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .isImagePath */ .RW)(def.id);
        const plot = {
            id: def.id,
            title: def.props.title ?? def.id,
            kind: image ? 'image' : 'vega',
            definition: def,
            data: [],
            images: [],
            notes: [],
            problems: [],
        };
        const problem = (message, extra = {}) => plot.problems.push({ plot: def.id, configFile: def.configFile, line: def.line, message, ...extra });
        const sources = (0,_definitions_js__WEBPACK_IMPORTED_MODULE_7__/* .sourcesOf */ .u0)(def);
        const absent = {};
        for (const { name: rev, reader } of readers) {
            const files = new Map();
            for (const file of sources) {
                try {
                    const size = await reader.size(file);
                    if (size === undefined) {
                        (absent[file] ??= []).push(rev);
                        continue;
                    }
                    if (size > maxBytes) {
                        problem(`${file} is ${(size / 1048576).toFixed(1)} MB in ${rev}, over the ${(maxBytes / 1048576).toFixed(0)} MB limit for plot data; plot a summary (fewer points) instead`, { file, rev });
                        continue;
                    }
                    const buf = await reader.read(file);
                    if (!buf) {
                        (absent[file] ??= []).push(rev);
                        continue;
                    }
                    if (image)
                        plot.images.push({ rev, path: file, mime: MIME[node_path__WEBPACK_IMPORTED_MODULE_2__.posix.extname(file).toLowerCase()] ?? 'application/octet-stream', data: buf });
                    else
                        files.set(file, (0,_data_js__WEBPACK_IMPORTED_MODULE_6__/* .parseDataFile */ .co)(file, buf, { header: def.props.header }));
                }
                catch (e) {
                    const message = e instanceof _data_js__WEBPACK_IMPORTED_MODULE_6__/* .PlotDataError */ .I$ ? e.message : `cannot read ${file} in ${rev}: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(e)}`;
                    problem(message, { file, rev });
                }
            }
            if (files.size)
                plot.data.push({ rev, files });
        }
        const template = def.props.template;
        if (!image && template && !(0,_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .isTemplate */ .Fl)(template)) {
            const found = findCustomTemplate(opts.cwd, template);
            if (found) {
                try {
                    plot.customTemplate = { path: found, content: JSON.parse((0,node_fs__WEBPACK_IMPORTED_MODULE_1__.readFileSync)((0,node_path__WEBPACK_IMPORTED_MODULE_2__.join)(opts.cwd, found), 'utf8')) };
                }
                catch (e) {
                    problem(`template ${found} is not valid JSON: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(e)}`, { file: found });
                }
            }
        }
        for (const [file, revs] of Object.entries(absent)) {
            if (revs.length === readers.length)
                problem(`${file} not found in ${revs.join(', ')}`, { file });
            else
                plot.notes.push(`${file} is missing in ${revs.join(', ')}; showing ${revNames.filter((r) => !revs.includes(r)).join(', ')} only`);
        }
        if (plot.problems.length)
            log.debug(`plot ${def.id}: ${plot.problems.map((p) => p.message).join('; ')}`);
        plots.push(plot);
    }
    // Keep the declaration order of the config files; missing ones were collected first.
    const order = new Map();
    declared.forEach((d, i) => order.set(d.id, i));
    const rank = (p) => {
        for (const [id, i] of order)
            if (isParent(id, p.id))
                return i;
        return order.size;
    };
    plots.sort((a, b) => rank(a) - rank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { revs: revNames, plots };
}
const nonNumeric = (field, v, s, rev, template) => `field "${field}" has the non-numeric value ${JSON.stringify(v)} (in ${s.filename}, ${rev}); template "${template}" needs numbers on this axis — use a categorical template (bar_horizontal, confusion, scatter_jitter) or a numeric field`;
/** A numeric column of a series: NaN where the value is missing; throws the message on a non-number. */
function numericColumn(s, get, field, rev, template) {
    const col = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) {
        const v = get(i);
        if (v === undefined || v === null || v === '') {
            col[i] = NaN;
            continue;
        }
        const n = (0,_data_js__WEBPACK_IMPORTED_MODULE_6__/* .toNumber */ .Ro)(v);
        if (n === undefined)
            throw new _convert_js__WEBPACK_IMPORTED_MODULE_5__/* .ConvertError */ .Qq(nonNumeric(field, v, s, rev, template), s.file);
        col[i] = n;
    }
    return col;
}
/**
 * The values a chart draws, one revision after another: numbers where the template needs numbers
 * (checked: a word on a numeric axis is a problem, not a silently empty chart), and long line / scatter
 * series reduced for display with a note. For `smooth`, when a series was reduced, `smooth` holds the
 * loess input: fewer min/max points for the reduced series, the drawn points for the others.
 */
function chartValues(converted, template, templateName, notes) {
    const values = [];
    const smooth = [];
    let reducedSmooth = false;
    const numX = !!template && (_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .NUMERIC_XY */ .UW.includes(template) || _templates_js__WEBPACK_IMPORTED_MODULE_11__/* .NUMERIC_X */ .dd.includes(template));
    const numY = !!template && _templates_js__WEBPACK_IMPORTED_MODULE_11__/* .NUMERIC_XY */ .UW.includes(template);
    const kind = template && _templates_js__WEBPACK_IMPORTED_MODULE_11__/* .LINE_TEMPLATES */ .lf.includes(template) ? 'line' : template === 'scatter' ? 'scatter' : undefined;
    for (const { rev, c } of converted) {
        for (const s of c.series) {
            const xs = numX ? numericColumn(s, s.x, c.x, rev, templateName) : undefined;
            const ys = numY ? numericColumn(s, s.y, c.y, rev, templateName) : undefined;
            const point = (i) => {
                const p = s.point(i);
                if (xs)
                    p[c.x] = xs[i];
                if (ys)
                    p[c.y] = ys[i];
                return p;
            };
            let idx = [];
            // v === v: not NaN (cheaper than a call in code V8 has not optimised yet)
            for (let i = 0; i < s.length; i++)
                if ((!xs || xs[i] === xs[i]) && (!ys || ys[i] === ys[i]))
                    idx.push(i);
            let smoothIdx;
            if (kind && xs && ys) {
                const kept = (0,_downsample_js__WEBPACK_IMPORTED_MODULE_14__/* .reduceSeries */ .OJ)(xs, ys, idx, kind);
                if (kept.length < idx.length) {
                    if (template === 'smooth')
                        smoothIdx = (0,_downsample_js__WEBPACK_IMPORTED_MODULE_14__/* .minMaxBuckets */ .o4)(xs, ys, idx, _downsample_js__WEBPACK_IMPORTED_MODULE_14__/* .SMOOTH_BUCKETS */ .d7);
                    notes.push(`${rev} · ${s.filename} · ${s.field}: ${idx.length.toLocaleString('en-US')} points shown as ${kept.length.toLocaleString('en-US')} for display (${kind === 'line' ? 'min/max per x bucket, shape kept' : 'one point per grid cell'}${smoothIdx ? `; smoothed over ${smoothIdx.length.toLocaleString('en-US')} min/max points` : ''})`);
                }
                idx = kept;
            }
            for (const i of idx)
                values.push(point(i));
            if (template === 'smooth') {
                reducedSmooth ||= !!smoothIdx;
                // Own objects: Vega tags every datum of a data set, so two data sets must not share one.
                for (const i of smoothIdx ?? idx)
                    smooth.push(point(i));
            }
        }
    }
    return reducedSmooth ? { values, smooth } : { values };
}
/**
 * One chart: data -> spec -> SVG here; the PNG is made in a worker when there is one, so its promise
 * goes to `later` (which fills in png / width / height, or the problem) and the next chart can start.
 */
async function renderVega(plot, revs, opts, later) {
    const def = plot.definition;
    const out = { id: plot.id, title: plot.title, kind: 'vega', images: [], notes: [...plot.notes], problems: [...plot.problems] };
    const problem = (message, extra = {}) => out.problems.push({ plot: plot.id, configFile: def.configFile, line: def.line, message, ...extra });
    const templateName = def.props.template ?? _templates_js__WEBPACK_IMPORTED_MODULE_11__/* .DEFAULT_TEMPLATE */ .VE;
    out.template = templateName;
    if (!(0,_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .isTemplate */ .Fl)(templateName) && !plot.customTemplate) {
        if (!out.problems.length) {
            problem(`unknown template "${templateName}" (built-in templates: ${_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .TEMPLATES */ .QT.join(', ')}; or a JSON template in .dvc/plots/)`);
        }
        return out;
    }
    // Custom templates get DVC's data as is: no numeric checks, no downsampling, no native fallback.
    const template = (0,_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .isTemplate */ .Fl)(templateName) ? templateName : undefined;
    if (!plot.data.length)
        return out;
    // A file over the size limit or unparsable in one revision must not be silently shown for the others.
    if (out.problems.length)
        return out;
    const converted = [];
    for (const { rev, files } of plot.data) {
        try {
            converted.push({ rev, c: (0,_convert_js__WEBPACK_IMPORTED_MODULE_5__/* .flatDatapoints */ .VS)(def.kind === 'path' ? { ...def, id: plot.id } : def, rev, files) });
        }
        catch (e) {
            if (e instanceof _convert_js__WEBPACK_IMPORTED_MODULE_5__/* .ConvertError */ .Qq)
                problem(e.message, { file: e.file, rev });
            else
                throw e;
        }
    }
    if (out.problems.length || !converted.length)
        return out;
    const first = converted[0].c;
    const yDefs = [...new Map(converted.flatMap(({ c }) => c.yDefs).map((d) => [`${d.filename}\u0000${d.field}`, d])).values()];
    let shown;
    let smoothValues;
    try {
        ({ values: shown, smooth: smoothValues } = chartValues(converted, template, templateName, out.notes));
    }
    catch (e) {
        if (!(e instanceof _convert_js__WEBPACK_IMPORTED_MODULE_5__/* .ConvertError */ .Qq))
            throw e;
        problem(e.message, { file: e.file });
        return out;
    }
    const shownRevs = revs.filter((r) => shown.some((d) => d.rev === r));
    const input = { title: plot.title, x: first.x, y: first.y, xLabel: first.xLabel, yLabel: first.yLabel, revs: shownRevs, values: shown, yDefs };
    const spec = template ? (0,_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .buildSpec */ .m)({ ...input, template, smoothValues }) : (0,_templates_js__WEBPACK_IMPORTED_MODULE_11__/* .fillCustomTemplate */ .RC)(plot.customTemplate.content, input);
    out.spec = spec;
    const failed = (e) => void problem(`rendering failed: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(e)}`);
    try {
        out.svg = await (0,_render_js__WEBPACK_IMPORTED_MODULE_10__/* .specToSvg */ .T)(spec);
        if (opts.png !== false) {
            later.push((0,_png_pool_js__WEBPACK_IMPORTED_MODULE_9__/* .rasterize */ .yr)(out.svg).then((png) => {
                out.png = png.data;
                out.width = png.width;
                out.height = png.height;
            }, failed));
        }
    }
    catch (e) {
        failed(e);
    }
    const fb = template && opts.fallbacks !== false && (0,_fallback_js__WEBPACK_IMPORTED_MODULE_8__/* .fallbackFor */ .o)({ template, title: plot.title, x: first.x, y: first.y, xLabel: first.xLabel, yLabel: first.yLabel, revs: shownRevs, values: shown });
    if (fb) {
        out.mermaid = fb.mermaid;
        out.markdownTable = fb.markdownTable;
        out.fallbackMarkdown = fb.markdown;
    }
    return out;
}
/** Render every plot of a set; one result per plot, in order. Per-plot failures land in `problems`. */
async function renderPlots(set, opts = {}) {
    const results = new Array(set.plots.length);
    const later = [];
    // Charts are laid out here while their PNGs are made in a worker, so the last one laid out is the
    // one whose PNG is waited for: scatter charts (a path per point, the slowest to rasterise) go first.
    const slow = (p) => p.kind === 'vega' && ['scatter', 'scatter_jitter'].includes(p.definition.props.template ?? _templates_js__WEBPACK_IMPORTED_MODULE_11__/* .DEFAULT_TEMPLATE */ .VE);
    const order = set.plots.map((_, i) => i).sort((a, b) => Number(slow(set.plots[b])) - Number(slow(set.plots[a])) || a - b);
    for (const index of order) {
        const plot = set.plots[index];
        if (plot.kind === 'image') {
            const out = { id: plot.id, title: plot.title, kind: 'image', images: plot.images, notes: [...plot.notes], problems: [...plot.problems] };
            const svgs = opts.png === false ? [] : plot.images.filter((img) => img.mime === 'image/svg+xml');
            const pngs = svgs.map((img) => (0,_png_pool_js__WEBPACK_IMPORTED_MODULE_9__/* .rasterize */ .yr)(img.data.toString('utf8'), 1));
            later.push(Promise.allSettled(pngs).then((settled) => settled.forEach((r, i) => {
                const img = svgs[i];
                if (r.status === 'fulfilled')
                    img.png = r.value.data;
                else
                    out.notes.push(`${img.path} (${img.rev}) could not be converted to PNG: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(r.reason)}`);
            })));
            results[index] = out;
            continue;
        }
        try {
            results[index] = await renderVega(plot, set.revs, opts, later);
        }
        catch (e) {
            results[index] = {
                id: plot.id,
                title: plot.title,
                kind: 'vega',
                images: [],
                notes: [...plot.notes],
                problems: [...plot.problems, { plot: plot.id, configFile: plot.definition.configFile, line: plot.definition.line, message: `rendering failed: ${(0,_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .messageOf */ .bD)(e)}` }],
            };
        }
    }
    await Promise.all(later);
    return results;
}
/** `plot: file (rev): message`, the line used in annotations and reports. */
function describeProblem(p) {
    const where = p.file && p.file !== p.plot ? ` ${p.file}` : '';
    return `plot "${p.plot}"${where}${p.rev ? ` (${p.rev})` : ''}: ${p.message}`;
}


__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } });

/***/ }),

/***/ 7050:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   T: () => (/* binding */ specToSvg)
/* harmony export */ });
/* harmony import */ var vega__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3972);
/* harmony import */ var vega_lite__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(994);
var __webpack_async_dependencies__ = __webpack_handle_async_dependencies__([vega__WEBPACK_IMPORTED_MODULE_0__, vega_lite__WEBPACK_IMPORTED_MODULE_1__]);
([vega__WEBPACK_IMPORTED_MODULE_0__, vega_lite__WEBPACK_IMPORTED_MODULE_1__] = __webpack_async_dependencies__.then ? (await __webpack_async_dependencies__)() : __webpack_async_dependencies__);
/**
 * Headless rendering: Vega-Lite -> Vega -> SVG (vega's `none` renderer: no canvas, no browser); the
 * SVG -> PNG step is ./raster.ts (in this thread) or ./png-pool.ts (in worker threads).
 */


/** Vega-Lite spec -> SVG text. Throws on a spec Vega cannot build (e.g. a bad custom template). */
async function specToSvg(spec) {
    const values = spec.data?.values;
    const withConfig = {
        ...spec,
        background: 'white',
        // ARIA labels name every point ("x: 1; y: 2; rev: head"): past a few hundred marks they are a third
        // of the SVG's bytes (bench scatter, 872 points: 273 vs 179 KB) and cost the cold render of the
        // bench about 50 ms, and nobody tabs through hundreds of points.
        config: { font: 'sans-serif', ...(values && values.length > 200 ? { aria: false } : {}), ...spec.config },
    };
    const vgSpec = (0,vega_lite__WEBPACK_IMPORTED_MODULE_1__/* .compile */ .wE)(withConfig).spec;
    withoutTooltips(vgSpec);
    const view = new vega__WEBPACK_IMPORTED_MODULE_0__/* .View */ .Ss2(vega__WEBPACK_IMPORTED_MODULE_0__/* .parse */ .qgA(vgSpec), { renderer: 'none', logLevel: vega__WEBPACK_IMPORTED_MODULE_0__/* .Error */ .$DH });
    try {
        return await view.toSVG();
    }
    finally {
        view.finalize();
    }
}
/**
 * Drop the marks' tooltip encodings (DVC's templates ask for `tooltip: {content: 'data'}`): a static
 * SVG has no hover, Vega's SVG output does not carry them, and building one formatted object per
 * point costs as much as drawing it.
 */
function withoutTooltips(spec) {
    for (const mark of spec.marks ?? []) {
        for (const set of Object.values(mark.encode ?? {}))
            if (set)
                delete set.tooltip;
        withoutTooltips(mark);
    }
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } });

/***/ }),

/***/ 3811:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Fl: () => (/* binding */ isTemplate),
/* harmony export */   OQ: () => (/* binding */ DVC_PALETTE),
/* harmony export */   QT: () => (/* binding */ TEMPLATES),
/* harmony export */   RC: () => (/* binding */ fillCustomTemplate),
/* harmony export */   UW: () => (/* binding */ NUMERIC_XY),
/* harmony export */   VE: () => (/* binding */ DEFAULT_TEMPLATE),
/* harmony export */   dd: () => (/* binding */ NUMERIC_X),
/* harmony export */   lf: () => (/* binding */ LINE_TEMPLATES),
/* harmony export */   m: () => (/* binding */ buildSpec)
/* harmony export */ });
/* unused harmony exports PLOT_WIDTH, PLOT_HEIGHT, SMOOTH_BANDWIDTH, CONFUSION_TEMPLATES, escapeField, mulberry32 */
/* harmony import */ var _convert_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6547);
/**
 * Vega-Lite specs for DVC's built-in plot templates (dvc-render `vega_templates.py`): the same marks,
 * fields, encodings, facets and DVC's revision palette, with DVC's optional anchors filled the way
 * dvc-render fills them (color by rev; strokeDash / shape / row / column by the file or field that
 * varies between series).
 *
 * The images are static, so the interactive parts of DVC's templates (hover rules, zoom and pan, the
 * smoothing slider, the "show values" checkbox) are left out and their defaults baked in: `smooth`
 * uses loess with bandwidth 0.2, `linear` shows the raw line (DVC's slider starts at 0.001, where loess
 * is the raw data), confusion matrices always print their numbers. `scatter_jitter` takes its jitter
 * from a seeded generator in the data rather than `random()` so the same data gives the same image.
 */

const TEMPLATES = [
    'simple',
    'linear',
    'smooth',
    'scatter',
    'scatter_jitter',
    'confusion',
    'confusion_normalized',
    'bar_horizontal',
    'bar_horizontal_sorted',
];
const DEFAULT_TEMPLATE = 'linear';
/** DVC's revision colours, in order. */
const DVC_PALETTE = ['#945dd6', '#13adc7', '#f46837', '#48bb78', '#4299e1', '#ed8936', '#f56565'];
const STROKE_DASH = [[1, 0], [8, 8], [8, 4], [4, 4], [4, 2], [2, 1], [1, 1]];
const SHAPES = ['square', 'circle', 'triangle', 'diamond'];
const PLOT_WIDTH = 300;
const PLOT_HEIGHT = 300;
const SMOOTH_BANDWIDTH = 0.2;
function isTemplate(name) {
    return TEMPLATES.includes(name);
}
/** Templates whose x and y must both be numbers. */
const NUMERIC_XY = ['simple', 'linear', 'smooth', 'scatter'];
/** Templates whose x must be a number (the bar length). */
const NUMERIC_X = ['bar_horizontal', 'bar_horizontal_sorted'];
const LINE_TEMPLATES = ['simple', 'linear', 'smooth'];
const CONFUSION_TEMPLATES = (/* unused pure expression or super */ null && (['confusion', 'confusion_normalized']));
/** Vega field names treat `.`, `[` and `]` as paths; DVC escapes them the same way. */
function escapeField(name) {
    return name.replace(/[.[\]]/g, (c) => `\\${c}`);
}
function scaleFor(field, domain, range) {
    return {
        field,
        scale: { domain, range: domain.map((_, i) => range[i % range.length]) },
        legend: { symbolFillColor: 'transparent', symbolStrokeColor: 'grey' },
    };
}
/** Fill dvc-render's optional anchors; adds the joined series key to the values when both vary. */
function anchors(input) {
    const color = {
        field: 'rev',
        type: 'nominal',
        scale: { domain: input.revs, range: DVC_PALETTE.slice(0, Math.max(1, Math.min(input.revs.length, DVC_PALETTE.length))) },
    };
    const varied = (0,_convert_js__WEBPACK_IMPORTED_MODULE_0__/* .variedKeys */ .Md)(input.yDefs);
    if (!varied.length)
        return { color, groupBy: ['rev'] };
    const seriesField = varied.join('::');
    if (varied.length === 2)
        for (const d of [...input.values, ...(input.smoothValues ?? [])])
            d[seriesField] = `${String(d.filename)}::${String(d.field)}`;
    const domain = varied.length === 2 ? input.yDefs.map((d) => `${d.filename}::${d.field}`) : [...new Set(input.yDefs.map((d) => d[varied[0]]))];
    const sorted = [...new Set(domain)].sort();
    return {
        color,
        seriesField,
        strokeDash: scaleFor(seriesField, sorted, STROKE_DASH),
        shape: scaleFor(seriesField, sorted, SHAPES),
        groupBy: ['rev', ...varied, ...(varied.length === 2 ? [seriesField] : [])],
    };
}
const quant = (field, title, zero = true) => ({
    field: escapeField(field),
    type: 'quantitative',
    title,
    ...(zero ? {} : { scale: { zero: false } }),
});
function header(input) {
    return {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        data: { values: input.values },
        title: { text: input.title, anchor: 'middle' },
    };
}
function lineSpec(input, a) {
    const x = quant(input.x, input.xLabel);
    const y = quant(input.y, input.yLabel, false);
    const seriesEnc = { color: a.color, ...(a.strokeDash ? { strokeDash: a.strokeDash } : {}) };
    if (input.template === 'simple') {
        return {
            ...header(input),
            width: PLOT_WIDTH,
            height: PLOT_HEIGHT,
            mark: { type: 'line', tooltip: { content: 'data' } },
            encoding: { x, y, ...seriesEnc },
        };
    }
    // linear / smooth: DVC's SmoothLinearTemplate — the (smoothed) line, the raw line faint behind it when
    // smoothing, and a dot on the last point of every series.
    const lastPoint = {
        mark: { type: 'circle', size: 10 },
        encoding: {
            x: { aggregate: 'max', ...quant(input.x, input.xLabel) },
            y: { aggregate: { argmax: escapeField(input.x) }, ...quant(input.y, input.yLabel, false) },
            color: a.color,
        },
    };
    const layers = input.template === 'smooth'
        ? [
            {
                ...(input.smoothValues ? { data: { values: input.smoothValues } } : {}),
                mark: 'line',
                encoding: { y },
                transform: [{ loess: escapeField(input.y), on: escapeField(input.x), groupby: a.groupBy, bandwidth: SMOOTH_BANDWIDTH }],
            },
            // DVC's `opacity: 0.2` as stroke opacity: the same look for a lone stroke, and resvg then
            // draws it directly instead of through an offscreen layer (4x faster for this chart).
            { mark: { type: 'line', strokeOpacity: 0.2 }, encoding: { x, y, color: a.color } },
            lastPoint,
        ]
        : [{ mark: 'line', encoding: { y } }, lastPoint];
    return {
        ...header(input),
        width: PLOT_WIDTH,
        height: PLOT_HEIGHT,
        encoding: { x, ...seriesEnc },
        layer: layers,
        // Without this the end-point dots turn the merged legend's line symbols into circles, and the faint
        // raw line of `smooth` makes them faint.
        config: { legend: { symbolType: 'stroke', symbolOpacity: 1 } },
    };
}
function scatterSpec(input, a) {
    const jitter = input.template === 'scatter_jitter';
    if (jitter) {
        const rand = mulberry32(0x5eed);
        for (const d of input.values) {
            d.randomX = rand();
            d.randomY = rand();
        }
    }
    return {
        ...header(input),
        width: PLOT_WIDTH,
        height: PLOT_HEIGHT,
        // Vega-Lite's default point opacity (0.7) as stroke opacity: the points are hollow, so they look
        // the same, and resvg does not composite a layer per point (half the time for 2,000 points).
        mark: { type: 'point', tooltip: { content: 'data' }, opacity: 1, strokeOpacity: 0.7 },
        encoding: {
            x: jitter ? { field: escapeField(input.x), title: input.xLabel } : quant(input.x, input.xLabel),
            y: jitter ? { field: escapeField(input.y), title: input.yLabel } : quant(input.y, input.yLabel),
            color: a.color,
            ...(a.shape ? { shape: a.shape } : {}),
            ...(jitter ? { xOffset: { field: 'randomX', type: 'quantitative' }, yOffset: { field: 'randomY', type: 'quantitative' } } : {}),
        },
        // The legend symbols as Vega-Lite draws them for the default opacity.
        config: { legend: { symbolOpacity: 0.7 } },
    };
}
function confusionSpec(input, a) {
    const X = escapeField(input.x);
    const Y = escapeField(input.y);
    const normalized = input.template === 'confusion_normalized';
    const extra = a.seriesField ? [a.seriesField] : [];
    const value = normalized ? 'percent_of_y' : 'xy_count';
    return {
        ...header(input),
        facet: {
            column: { field: 'rev', sort: [], title: null },
            ...(a.seriesField ? { row: { field: a.seriesField } } : {}),
        },
        spec: {
            width: PLOT_WIDTH,
            height: PLOT_HEIGHT,
            transform: [
                { aggregate: [{ op: 'count', as: 'xy_count' }], groupby: [Y, X] },
                { impute: 'xy_count', groupby: ['rev', ...extra, Y], key: X, value: 0 },
                { impute: 'xy_count', groupby: ['rev', ...extra, X], key: Y, value: 0 },
                normalized
                    ? { joinaggregate: [{ op: 'sum', field: 'xy_count', as: 'sum_y' }], groupby: [Y] }
                    : { joinaggregate: [{ op: 'max', field: 'xy_count', as: 'max_count' }], groupby: [] },
                normalized
                    ? { calculate: 'datum.xy_count / datum.sum_y', as: 'percent_of_y' }
                    : { calculate: 'datum.xy_count / datum.max_count', as: 'percent_of_max' },
            ],
            encoding: {
                x: { field: X, type: 'nominal', sort: 'ascending', title: input.xLabel },
                y: { field: Y, type: 'nominal', sort: 'ascending', title: input.yLabel },
            },
            layer: [
                {
                    mark: 'rect',
                    encoding: {
                        color: {
                            field: value,
                            type: 'quantitative',
                            title: '',
                            scale: normalized ? { domain: [0, 1] } : { domainMin: 0, nice: true },
                        },
                    },
                },
                {
                    mark: 'text',
                    encoding: {
                        text: { field: value, type: 'quantitative', ...(normalized ? { format: '.2f' } : {}) },
                        color: {
                            condition: { test: normalized ? 'datum.percent_of_y > 0.5' : 'datum.percent_of_max > 0.5', value: 'white' },
                            value: 'black',
                        },
                    },
                },
            ],
        },
    };
}
function barSpec(input, a) {
    return {
        ...header(input),
        width: PLOT_WIDTH,
        height: PLOT_HEIGHT,
        mark: { type: 'bar' },
        encoding: {
            x: quant(input.x, input.xLabel, false),
            y: {
                field: escapeField(input.y),
                type: 'nominal',
                title: input.yLabel,
                ...(input.template === 'bar_horizontal_sorted' ? { sort: '-x' } : {}),
            },
            yOffset: { field: 'rev', sort: [] },
            color: a.color,
            ...(a.seriesField ? { column: { field: a.seriesField } } : {}),
        },
    };
}
/** The Vega-Lite spec of one plot. Mutates `input.values` only to add derived fields (series key, jitter). */
function buildSpec(input) {
    const a = anchors(input);
    switch (input.template) {
        case 'simple':
        case 'linear':
        case 'smooth':
            return lineSpec(input, a);
        case 'scatter':
        case 'scatter_jitter':
            return scatterSpec(input, a);
        case 'confusion':
        case 'confusion_normalized':
            return confusionSpec(input, a);
        case 'bar_horizontal':
        case 'bar_horizontal_sorted':
            return barSpec(input, a);
    }
}
/**
 * A user's own template (DVC: `template: <name or path>`, found in .dvc/plots/ or relative to the repo):
 * a Vega-Lite JSON whose string values `<DVC_METRIC_*>` are anchors, filled as dvc-render fills them.
 * Interactive anchors get their static equivalents.
 */
function fillCustomTemplate(content, input) {
    const a = anchors({ ...input, template: 'simple' });
    const values = {
        DATA: input.values,
        TITLE: input.title,
        X: escapeField(input.x),
        Y: escapeField(input.y),
        X_LABEL: input.xLabel,
        Y_LABEL: input.yLabel,
        COLOR: a.color,
        STROKE_DASH: a.strokeDash ?? {},
        SHAPE: a.shape ?? {},
        ROW: a.seriesField ? { field: a.seriesField } : {},
        COLUMN: a.seriesField ? { field: a.seriesField } : {},
        GROUP_BY: a.groupBy,
        GROUP_BY_X: [...a.groupBy, escapeField(input.x)],
        GROUP_BY_Y: [...a.groupBy, escapeField(input.y)],
        PIVOT_FIELD: a.groupBy.map((k) => `datum.${k}`).join(" + '::' + "),
        PLOT_WIDTH: PLOT_WIDTH,
        PLOT_HEIGHT: PLOT_HEIGHT,
        ZOOM_AND_PAN: { name: 'grid', select: 'interval', bind: 'scales' },
    };
    const anchor = /<DVC_METRIC_([A-Z_]+)>/g;
    const fill = (v) => {
        if (typeof v === 'string') {
            const whole = /^<DVC_METRIC_([A-Z_]+)>$/.exec(v);
            if (whole && whole[1] in values)
                return values[whole[1]];
            return v.replace(anchor, (m, name) => (typeof values[name] === 'string' ? values[name] : m));
        }
        if (Array.isArray(v))
            return v.map(fill);
        if (v && typeof v === 'object')
            return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
        return v;
    };
    return fill(content);
}
/** Small seeded PRNG so jittered scatter plots are reproducible. */
function mulberry32(seed) {
    let s = seed >>> 0;
    return () => {
        s = (s + 0x6d2b79f5) >>> 0;
        let t = s;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}



/***/ }),

/***/ 9186:
/***/ ((module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   buildPlotsSection: () => (/* binding */ buildPlotsSection)
/* harmony export */ });
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7268);
/* harmony import */ var _plots_index_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6796);
var __webpack_async_dependencies__ = __webpack_handle_async_dependencies__([_plots_index_js__WEBPACK_IMPORTED_MODULE_1__]);
_plots_index_js__WEBPACK_IMPORTED_MODULE_1__ = (__webpack_async_dependencies__.then ? (await __webpack_async_dependencies__)() : __webpack_async_dependencies__)[0];


const esc = (s) => s.replace(/[[\]]/g, '');
function commentMarkdown(rendered, urls, files, noHostNote) {
    const parts = [];
    if (noHostNote)
        parts.push(`> [!NOTE]\n> ${noHostNote}`);
    for (const p of rendered) {
        const mine = files.filter((f) => f.plotId === p.id);
        const png = mine.find((f) => f.role === 'png');
        const lines = [`#### ${p.title}`];
        if (png && urls.has(png.name))
            lines.push(`![${esc(p.title)}](${urls.get(png.name)})`);
        else if (p.kind === 'image') {
            const imgs = mine.filter((f) => f.role === 'image' && urls.has(f.name));
            if (imgs.length)
                lines.push(imgs.map((f) => `![${esc(`${p.title} (${f.rev})`)}](${urls.get(f.name)})`).join(' '));
            else
                lines.push('_Image plot: not shown without image hosting; see the HTML report._');
        }
        else if (p.fallbackMarkdown)
            lines.push(p.fallbackMarkdown);
        else if (p.svg)
            lines.push('_No GitHub-native form for this chart; see the HTML report._');
        for (const q of p.problems)
            lines.push(`> ⚠️ ${(0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .describeProblem */ .BJ)(q)}`);
        for (const n of p.notes)
            lines.push(`<sub>${n}</sub>`);
        parts.push(lines.join('\n\n'));
    }
    return parts.join('\n\n');
}
/** Load, render and (optionally) host the plots; a section is returned only when there are plots. */
async function buildPlotsSection(o) {
    let rendered;
    const png = Boolean(o.host || o.outDir);
    // The PNG workers load the renderer while this thread reads the data and lays out the charts.
    if (png)
        (0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .startPngWorkers */ .DJ)();
    try {
        const set = await (0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .loadPlots */ .XM)({ cwd: o.cwd, mlopsPlots: o.config?.plots, revs: o.revs, logger: o.logger });
        if (set.plots.length === 0)
            return { rendered: [], files: [] };
        rendered = await (0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .renderPlots */ .x3)(set, { png, logger: o.logger });
    }
    catch (e) {
        // A broken plots config must not take the metric tables down with it: report it in the section.
        const message = (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isUserError */ .iU)(e) && e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}` : (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(e);
        o.logger?.warning(`plots: ${message}`, (0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .isUserError */ .iU)(e) ? { file: e.file, line: e.line } : undefined);
        return { rendered: [], files: [], section: { id: 'plots', title: 'Plots', blocks: [{ kind: 'text', text: `⚠️ Plots could not be read: ${message}` }] } };
    }
    const files = (0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .plotFiles */ .Bw)(rendered);
    // On disk too, so a job without image hosting (fork PRs, image-host: none) can upload-artifact them.
    if (o.outDir && files.length)
        (0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .writePlotFiles */ .qL)(o.outDir, files);
    let urls = new Map();
    let note = o.host ? undefined : o.noHostReason;
    if (o.host) {
        try {
            urls = await o.host(files.filter((f) => f.role !== 'svg'));
        }
        catch (e) {
            note = `Plot images could not be hosted (${(0,_errors_js__WEBPACK_IMPORTED_MODULE_0__/* .messageOf */ .bD)(e)}); showing GitHub-native charts instead.`;
            o.logger?.warning(note);
        }
    }
    const block = { kind: 'raw', markdown: commentMarkdown(rendered, urls, files, note), html: (0,_plots_index_js__WEBPACK_IMPORTED_MODULE_1__/* .plotsHtml */ .Kb)(rendered) };
    return { rendered, files, section: { id: 'plots', title: 'Plots', blocks: [block] } };
}

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } });

/***/ })

};
