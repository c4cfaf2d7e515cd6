import { ServiceUnavailableException } from '@nestjs/common';

export const STORE_UNAVAILABLE = 'Service temporarily unavailable. Please try again later.';

/** The revocation state could not be read or written: the request fails closed. */
export class StoreUnavailableException extends ServiceUnavailableException {
  constructor() {
    super(STORE_UNAVAILABLE);
  }
}
