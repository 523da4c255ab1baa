import { ctrStreamProject } from '../../vitest.shared.js';

export default ctrStreamProject({ name: 'local-pipeline', elasticsearch: true, testTimeout: 240_000 });
