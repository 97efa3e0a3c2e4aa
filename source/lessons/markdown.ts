// Splits a lesson's Markdown into the parts the loader reads: the YAML front
// matter, the `## …` sections, and inside each section its prose and its
// fenced blocks — each with the line it starts on, so every later error can
// name the exact line. Knows just enough Markdown for that: front matter
// between `---` lines, ATX headings, and ``` / ~~~ fences (a heading inside a
// fence is not a heading).

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
	frontMatter?: {text: string; line: number; firstLine: number; closed: boolean};
	sections: Section[];
	lines: string[];
};

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
		frontMatter = {text: lines.slice(1, end).join('\n'), line: 1, firstLine: 2, closed};
		index = closed ? end + 1 : end;
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

			const fence: Fence = {info, text: body.join('\n'), line: start + 1, firstLine: start + 2, closed};
			current.fences.push(fence);
			if (structured.includes(info)) current.blocks.push(fence);
			else prose.push(...lines.slice(start, closed ? index + 1 : index));
			index++;
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
