#!/usr/bin/env node
// Validates an OpenAPI document with @apidevtools/swagger-parser (schema and
// references), as a ctest test: exit 0 when valid, 1 with the reason if not.
//   node tools/validate-openapi.js docs/openapi.json
'use strict';
const path = require('path');
const modules = path.join(__dirname, '..', 'web', 'node_modules');
const SwaggerParser = require(path.join(modules, '@apidevtools', 'swagger-parser'));

const file = process.argv[2];
if (!file) {
  console.error('usage: validate-openapi.js FILE');
  process.exit(2);
}
SwaggerParser.validate(file)
  .then((api) => {
    const n = Object.keys(api.paths).length;
    console.log(`${file}: valid OpenAPI ${api.openapi}, ${n} paths`);
  })
  .catch((err) => {
    console.error(`${file}: INVALID: ${err.message}`);
    process.exit(1);
  });
