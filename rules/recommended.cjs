// The preset a project extends from its .dependency-cruiser.cjs:
//   module.exports = { extends: '@safecall/architecture/recommended', forbidden: [/* yours */] };
// To change layers or package lists, call createArchitectureRules from '@safecall/architecture/rules'.
'use strict';

module.exports = require('./presets/architecture-rules.cjs').createArchitectureRules();
