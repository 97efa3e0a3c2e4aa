// Where the bundled lessons live: the package's top-level lessons/ folder
// (an instructor points `ringlab --lessons DIR` at their own).

import {join} from 'node:path';
import {packageRoot} from '../guests.js';

export const bundledLessonsDirectory = join(packageRoot, 'lessons');
