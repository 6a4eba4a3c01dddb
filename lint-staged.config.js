// Pre-commit: the hook builds (and so typechecks) first; here, lint only the staged files.
export default {
  '*.{ts,mts,cts,js,mjs,cjs}': ['eslint --max-warnings=0 --no-warn-ignored'],
};
