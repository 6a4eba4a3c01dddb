// Every safecall architecture rule at severity "warn": for adopting the rules without failing the build.
'use strict';

module.exports = require('./presets/architecture-rules.cjs').createArchitectureRules({ severity: 'warn' });
