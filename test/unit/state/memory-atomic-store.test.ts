import { MemoryAtomicStore } from '../../../src/state/memory-atomic-store.js';
import { describeAtomicStore } from '../../support/atomic-store-contract.js';

describeAtomicStore(
  'MemoryAtomicStore',
  () => new MemoryAtomicStore(),
  (store) => store.onModuleDestroy(),
);
