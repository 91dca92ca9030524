package ccx.hooks.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.RelayException;
import ccx.hooks.testing.OutboxDatabase;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The INSERT baseline's table is indexed as the partition intake writes to. */
class BaselineTableTest {
  @RegisterExtension static final OutboxDatabase database = new OutboxDatabase();

  @AfterEach
  void dropBaseline() {
    database.dsl().execute("DROP TABLE IF EXISTS " + BaselineTable.NAME);
  }

  @Test
  void the_baseline_has_every_index_of_the_active_partition() {
    BaselineTable.create(database.url());

    List<String> active = indexes(database.dsl(), "hook_outbox_active");
    assertThat(active).hasSizeGreaterThanOrEqualTo(5);
    assertThat(indexes(database.dsl(), BaselineTable.NAME))
        .containsExactlyInAnyOrderElementsOf(active);
  }

  @Test
  void a_repeated_work_id_is_refused_by_the_baseline_as_by_the_outbox() {
    BaselineTable.create(database.url());
    String insert =
        "INSERT INTO bench_baseline (hook, work_id, payload, webhook_id, status)"
            + " VALUES ('/post-add-node', 'w1', '{}', ?, 'queued')";
    database.dsl().execute(insert, "msg_1");

    assertThatThrownBy(() -> database.dsl().execute(insert, "msg_2"))
        .hasMessageContaining("duplicate key");
  }

  @Test
  void an_index_of_an_unknown_shape_is_named_in_the_error() {
    assertThat(
            BaselineTable.onBaseline(
                "CREATE UNIQUE INDEX a_key ON public.hook_outbox_active USING btree (id)"))
        .isEqualTo("CREATE UNIQUE INDEX ON bench_baseline USING btree (id)");
    assertThatThrownBy(() -> BaselineTable.onBaseline("CREATE INDEX CONCURRENTLY x ON t (id)"))
        .isInstanceOf(RelayException.class)
        .hasMessageContaining("CREATE INDEX CONCURRENTLY x ON t (id)");
  }

  /**
   * The table's index definitions without the index's and the table's names, and without casts and
   * parentheses: PostgreSQL prints a copied predicate with its casts in other places.
   */
  private static List<String> indexes(DSLContext dsl, String table) {
    return dsl.fetch(
            "SELECT regexp_replace(regexp_replace(indexdef, '^(CREATE (UNIQUE )?INDEX) \\S+ ON \\S+ ',"
                + " '\\1 ON t '), '::[a-z ]+(\\[\\])?|[()]', '', 'g')"
                + " FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?",
            table)
        .getValues(0, String.class);
  }
}
