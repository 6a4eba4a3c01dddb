// Regenerates the rules list in README.md from the rules' meta: `npm run docs -w @safecall/eslint-plugin`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rules } from '../src/rules/index.js';
import { renderRulesList, replaceRulesList } from './rules-list.js';

const readmePath = path.join(import.meta.dirname, '..', 'README.md');
writeFileSync(readmePath, replaceRulesList(readFileSync(readmePath, 'utf8'), renderRulesList(rules)));
