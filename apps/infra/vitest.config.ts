import { ctrStreamProject } from '../../vitest.shared.js';

export default ctrStreamProject({ name: 'infra', testTimeout: 120_000 });
