#!/usr/bin/env node
// `npm start`: the whole pipeline locally. Filled in by the local-pipeline work.
console.log(
  'npm start: the local pipeline (Elasticsearch, caller directory, local Firehose, simulator) is being built.',
);
