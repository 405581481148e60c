'use strict';
module.exports = require('./build/Release/memtrim.node');
