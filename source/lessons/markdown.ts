// Splits a lesson's Markdown into the parts the loader reads: the YAML front
// matter, the `## …` sections, and inside each section its prose and its
// fenced blocks — each with the line it starts on, so every later error can
// name the exact line. Knows just enough Markdown for that: front matter
// between `---` lines, ATX headings, and ``` / ~~~ fences (a heading inside a
// fence is not a heading).
//
// A fence or front matter that is never closed would swallow the rest of the
// file (or, for a fence, run on to the next block's closing line), hiding
// every later section from the checker. So an unclosed fence is taken to end
// before the next `## ` heading — and any block but a Markdown example before
// a `## Step:`, `## Quiz` or `## Sources` heading inside it, which can only
// mean its closing line is missing — and unclosed front matter before
// the first heading (`# ` or `## `); they are still marked not closed, and the
// loader reports that, but the sections after them are read and checked.

export type Fence = {
	/** The info string after the opening fence, e.g. "lab" or "quiz" or "sh". */
	info: string;
	/** The text between the fences. */
	text: string;
	/** 1-based line of the opening fence. */
	line: number;
	/** 1-based line of the first line of `text`. */
	firstLine: number;
	/** False when the file ended before the closing fence. */
	closed: boolean;
	/** When not closed: the 1-based line of the `## ` heading it was taken to end before (the file's end if none). */
	endsBefore?: number;
};

export type Section = {
	/** The heading text after `## ` (empty for the part before the first heading). */
	heading: string;
	/** 1-based line of the heading (1 for the part before the first heading). */
	line: number;
	/** Prose: every line of the section except the heading and fences whose info is in `structured`. */
	prose: string;
	/** Fences whose info string is one of the structured kinds, in order. */
	blocks: Fence[];
	/** Every fence in the section (structured or not). */
	fences: Fence[];
};

export type SplitMarkdown = {
	/** `endsBefore`: when not closed, the heading line it was taken to end before (if there is one). */
	frontMatter?: {text: string; line: number; firstLine: number; closed: boolean; endsBefore?: number};
	sections: Section[];
	lines: string[];
};

/** The headings that start a lesson's sections: never inside a block, unless it is a Markdown example. */
const lessonSectionHeading = /^##\s+(?:step\s*:|quiz\s*$|sources\s*$|references\s*$)/i;

const fenceOpen = /^(\s{0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;

/** Split `text` into front matter and `##` sections; fences with an info string in `structured` become blocks. */
export function splitMarkdown(text: string, structured: readonly string[]): SplitMarkdown {
	const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
	let index = 0;
	let frontMatter: SplitMarkdown['frontMatter'];
	if (lines[0]?.trim() === '---') {
		let end = 1;
		while (end < lines.length && lines[end].trim() !== '---' && lines[end].trim() !== '...') end++;
		const closed = end < lines.length;
		if (closed) {
			frontMatter = {text: lines.slice(1, end).join('\n'), line: 1, firstLine: 2, closed};
			index = end + 1;
		} else {
			const heading = lines.findIndex((line, i) => i > 0 && /^#{1,2}\s+\S/.test(line));
			const stop = heading === -1 ? end : heading;
			frontMatter = {text: lines.slice(1, stop).join('\n'), line: 1, firstLine: 2, closed, ...(heading === -1 ? {} : {endsBefore: heading + 1})};
			index = stop;
		}
	}

	const sections: Section[] = [];
	let current: Section = {heading: '', line: index + 1, prose: '', blocks: [], fences: []};
	let prose: string[] = [];
	const finish = () => {
		current.prose = prose.join('\n').trim();
		sections.push(current);
	};

	while (index < lines.length) {
		const line = lines[index];
		const open = fenceOpen.exec(line);
		if (open) {
			const marker = open[2];
			const info = open[3].toLowerCase();
			const start = index;
			index++;
			const body: string[] = [];
			let closed = false;
			while (index < lines.length) {
				const candidate = lines[index].trim();
				if (candidate.startsWith(marker[0].repeat(marker.length)) && /^(`+|~+)$/.test(candidate) && candidate[0] === marker[0]) {
					closed = true;
					break;
				}

				body.push(lines[index]);
				index++;
			}

			let endsBefore: number | undefined;
			// A lesson's own section heading inside a block means its closing line is missing (the fence closed later is the next block's);
			// only a Markdown example (```markdown, ```md) may show one.
			const sectionHeading = info === 'markdown' || info === 'md' ? -1 : body.findIndex(text => lessonSectionHeading.test(text));
			if (sectionHeading !== -1) closed = false;
			if (!closed) {
				const heading = sectionHeading === -1 ? body.findIndex(text => /^##\s/.test(text) && !text.startsWith('###')) : sectionHeading;
				if (heading !== -1) {
					body.length = heading;
					index = start + 1 + heading;
					endsBefore = index + 1;
				}
			}

			const fence: Fence = {info, text: body.join('\n'), line: start + 1, firstLine: start + 2, closed, ...(endsBefore === undefined ? {} : {endsBefore})};
			current.fences.push(fence);
			if (structured.includes(info)) current.blocks.push(fence);
			else prose.push(...lines.slice(start, closed ? index + 1 : index));
			if (closed) index++;
			else if (endsBefore === undefined) index = lines.length;
			continue;
		}

		const heading = /^##\s+(.*?)\s*#*\s*$/.exec(line);
		if (heading && !line.startsWith('###')) {
			finish();
			current = {heading: heading[1], line: index + 1, prose: '', blocks: [], fences: []};
			prose = [];
			index++;
			continue;
		}

		prose.push(line);
		index++;
	}

	finish();
	return {frontMatter, sections, lines};
}
