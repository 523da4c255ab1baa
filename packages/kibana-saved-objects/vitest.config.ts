import { ctrStreamProject } from '../../vitest.shared.js';

export default ctrStreamProject({ name: 'kibana-saved-objects', elasticsearch: true, typeTests: true });
