// Splits a shell command line into words and operators the way a POSIX
// shell would for matching purposes (quotes, backslashes, ; && || | &), so a
// `commandRan` checkpoint can find `unshare --pid` inside
// `sudo unshare --pid --fork sh && echo ok`. It does not expand anything.

export type Word = {text: string; operator: boolean};

const operators = ['&&', '||', ';', '|', '&', '(', ')'];

export function splitWords(line: string): Word[] {
	const words: Word[] = [];
	let current = '';
	let inWord = false;
	let i = 0;
	const flush = () => {
		if (inWord) words.push({text: current, operator: false});
		current = '';
		inWord = false;
	};

	while (i < line.length) {
		const c = line[i];
		if (c === '#' && !inWord) break;
		if (c === ' ' || c === '\t' || c === '\n') {
			flush();
			i++;
			continue;
		}

		const operator = operators.find(op => line.startsWith(op, i));
		if (operator) {
			flush();
			words.push({text: operator, operator: true});
			i += operator.length;
			continue;
		}

		inWord = true;
		if (c === '\\' && i + 1 < line.length) {
			current += line[i + 1];
			i += 2;
		} else if (c === "'") {
			const end = line.indexOf("'", i + 1);
			current += line.slice(i + 1, end === -1 ? line.length : end);
			i = end === -1 ? line.length : end + 1;
		} else if (c === '"') {
			i++;
			while (i < line.length && line[i] !== '"') {
				if (line[i] === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) i++;
				current += line[i];
				i++;
			}

			i++;
		} else {
			current += c;
			i++;
		}
	}

	flush();
	return words;
}
