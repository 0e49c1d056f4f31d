import { codegenConfig } from './src/codegenConfig.ts';

export default codegenConfig();
