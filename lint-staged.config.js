// Pre-commit: lint the staged files, and typecheck only the projects they belong to.
import path from 'node:path';

const projects = ['packages/runtime', 'packages/eslint-plugin', 'packages/cli', 'rules'];

function projectsOf(files) {
  const touched = new Set();
  for (const file of files) {
    const rel = path.relative(process.cwd(), file);
    const project = projects.find((p) => rel.startsWith(p + path.sep));
    if (project) touched.add(project);
  }
  return [...touched];
}

export default {
  '*.{ts,mts,js,mjs}': ['eslint --max-warnings=0 --no-warn-ignored'],
  '*.ts': (files) => projectsOf(files).map((p) => `tsc -b ${p}`),
};
