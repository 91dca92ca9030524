package ccx.hooks.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.core.Hook;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void no_arguments_run_serve() {
    assertThat(Main.withDefaultCommand(new String[0])).containsExactly("serve");
  }

  @Test
  void options_without_a_command_are_options_of_serve() {
    assertThat(Main.withDefaultCommand(new String[] {"--hook-url", "http://h", "--grpc-port=0"}))
        .containsExactly("serve", "--hook-url", "http://h", "--grpc-port=0");
  }

  @Test
  void help_and_version_stay_with_the_top_level_command() {
    assertThat(Main.withDefaultCommand(new String[] {"--help"})).containsExactly("--help");
    assertThat(Main.withDefaultCommand(new String[] {"-h"})).containsExactly("-h");
    assertThat(Main.withDefaultCommand(new String[] {"--version"})).containsExactly("--version");
    assertThat(Main.withDefaultCommand(new String[] {"-V"})).containsExactly("-V");
  }

  @Test
  void a_command_is_left_as_it_is() {
    assertThat(Main.withDefaultCommand(new String[] {"migrate", "--database-url", "x"}))
        .containsExactly("migrate", "--database-url", "x");
    assertThat(Main.withDefaultCommand(new String[] {"serve"})).containsExactly("serve");
  }

  @Test
  void hooks_are_named_in_kebab_or_snake_case() {
    assertThat(Main.parseHook("post-add-node")).isEqualTo(Hook.POST_ADD_NODE);
    assertThat(Main.parseHook("pre_delete_cluster")).isEqualTo(Hook.PRE_DELETE_CLUSTER);
    assertThatThrownBy(() -> Main.parseHook("add-node"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'add-node' is not a hook")
        .hasMessageContaining("post-delete-cluster");
  }
}
