import { ctrStreamProject } from '../../vitest.shared.js';

export default ctrStreamProject({ name: 'es-index-setup', elasticsearch: true, typeTests: true });
