package ccx.hooks.delivery;

import java.util.Optional;

/** The drainer suite again, with the database session in a non-UTC, non-whole-hour time zone. */
class OutboxDrainerInIndiaTimeZoneTest extends OutboxDrainerTest {
  @Override
  Optional<String> timeZone() {
    return Optional.of("Asia/Kolkata");
  }
}
