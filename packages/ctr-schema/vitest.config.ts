import { ctrStreamProject } from '../../vitest.shared.js';

export default ctrStreamProject({ name: 'ctr-schema', elasticsearch: true, typeTests: true });
