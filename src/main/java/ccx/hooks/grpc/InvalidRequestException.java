package ccx.hooks.grpc;

import ccx.hooks.core.RelayException;

/** A request broke the contract; the message names the field. Answered INVALID_ARGUMENT. */
final class InvalidRequestException extends RelayException {
  InvalidRequestException(String message) {
    super(message);
  }
}
