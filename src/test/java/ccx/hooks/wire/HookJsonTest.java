package ccx.hooks.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ccx.hooks.v1.PostAddNodeRequest;
import ccx.hooks.v1.PreCreateClusterRequest;
import ccx.hooks.wire.HookJson.NotJsonException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HookJsonTest {

  @Test
  void the_body_uses_proto_field_names_and_prints_node_count_as_a_number() {
    PreCreateClusterRequest request =
        PreCreateClusterRequest.newBuilder()
            .setClusterId("c-1")
            .setClusterName("orders")
            .setDatastoreType("postgres")
            .setCloud("aws")
            .setNodeCount(3)
            .setInstanceType("m5.large")
            .setAuthId("session-1")
            .build();

    assertThat(HookJson.body(request))
        .isEqualTo(
            "{\"cluster_id\":\"c-1\",\"cluster_name\":\"orders\",\"datastore_type\":\"postgres\","
                + "\"cloud\":\"aws\",\"node_count\":3,\"instance_type\":\"m5.large\","
                + "\"auth_id\":\"session-1\"}");
  }

  @Test
  void every_field_is_present_even_when_empty() {
    assertThat(HookJson.body(PostAddNodeRequest.getDefaultInstance()))
        .isEqualTo(
            "{\"cluster_id\":\"\",\"cloud\":\"\",\"node_count\":0,\"instance_type\":\"\","
                + "\"node_ids\":[],\"work_id\":\"\"}");
    assertThat(HookJson.body(PreCreateClusterRequest.getDefaultInstance()))
        .contains("\"auth_id\":\"\"");
  }

  @Test
  void repeated_fields_are_json_arrays_and_the_body_is_compact() {
    PostAddNodeRequest request =
        PostAddNodeRequest.newBuilder()
            .setClusterId("c 1")
            .addNodeIds("n1")
            .addNodeIds("n2")
            .setWorkId("w1")
            .build();

    String body = HookJson.body(request);

    assertThat(body).contains("\"node_ids\":[\"n1\",\"n2\"]").doesNotContain("\n", ": ", ", ");
  }

  @Test
  void only_a_json_true_approves() throws NotJsonException {
    assertThat(HookJson.parseAnswer("{\"approved\":true}").approved()).isTrue();

    assertThat(HookJson.parseAnswer("{\"approved\":false}").approved()).isFalse();
    assertThat(HookJson.parseAnswer("{\"approved\":\"true\"}").approved()).isFalse();
    assertThat(HookJson.parseAnswer("{\"approved\":1}").approved()).isFalse();
    assertThat(HookJson.parseAnswer("{\"approved\":null}").approved()).isFalse();
    assertThat(HookJson.parseAnswer("{\"approved\":{\"value\":true}}").approved()).isFalse();
    assertThat(HookJson.parseAnswer("{}").approved()).isFalse();
  }

  @Test
  void fields_are_read_by_their_snake_case_or_lower_camel_names() throws NotJsonException {
    HookJson.Answer snake = HookJson.parseAnswer("{\"work_id\":\"w1\",\"organisation_id\":\"o1\"}");
    HookJson.Answer camel = HookJson.parseAnswer("{\"workId\":\"w2\",\"organisationId\":\"o2\"}");

    assertThat(snake.string("work_id")).isEqualTo("w1");
    assertThat(snake.string("organisation_id")).isEqualTo("o1");
    assertThat(camel.string("work_id")).isEqualTo("w2");
    assertThat(camel.string("organisation_id")).isEqualTo("o2");
  }

  @Test
  void a_missing_or_non_text_field_reads_as_empty_and_a_number_as_its_text()
      throws NotJsonException {
    HookJson.Answer answer =
        HookJson.parseAnswer("{\"user_id\":42,\"project_id\":null,\"reason\":[\"no\"]}");

    assertThat(answer.string("user_id")).isEqualTo("42");
    assertThat(answer.string("project_id")).isEmpty();
    assertThat(answer.string("reason")).isEmpty();
    assertThat(answer.string("work_id")).isEmpty();
  }

  @Test
  void unknown_fields_are_ignored() throws NotJsonException {
    HookJson.Answer answer =
        HookJson.parseAnswer(
            "{\"approved\":true,\"work_id\":\"w1\",\"quota\":{\"left\":3},\"tags\":[1,2]}");

    assertThat(answer.approved()).isTrue();
    assertThat(answer.string("work_id")).isEqualTo("w1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"approved\":true}]", "\"approved\"", "true", "42", "null"})
  void an_answer_that_is_json_but_not_an_object_is_refused(String body) {
    assertThatThrownBy(() -> HookJson.parseAnswer(body))
        .isInstanceOf(NotJsonException.class)
        .hasMessageContaining("not a JSON object");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "<html>Bad Gateway</html>", "{\"approved\":", "OK"})
  void an_answer_that_is_not_json_is_refused(String body) {
    assertThatThrownBy(() -> HookJson.parseAnswer(body)).isInstanceOf(NotJsonException.class);
  }

  @Test
  void the_refusal_quotes_a_long_answer_shortened_to_one_line() {
    String page = "<html>\n<body>" + "x".repeat(500) + "</body>\n</html>";

    assertThatThrownBy(() -> HookJson.parseAnswer(page))
        .isInstanceOf(NotJsonException.class)
        .hasMessageStartingWith("answer is not JSON: <html> <body>xxx")
        .hasMessageNotContaining("\n")
        .hasMessageEndingWith("…");
  }

  @ParameterizedTest
  @ValueSource(strings = {"work_id", "workId", "workID"})
  void the_work_id_is_read_in_each_spelling(String name) throws HookJson.ContractException {
    assertThat(HookJson.parseAnswer("{\"" + name + "\": \"w-1\"}").workId()).isEqualTo("w-1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"work_id\": 7}",
        "{\"work_id\": true}",
        "{\"workId\": {\"id\": \"w\"}}",
        "{\"workID\": [\"w\"]}",
        "{\"work_id\": \"w\\u0000\"}",
        "{\"work_id\": \"LONG\"}"
      })
  void a_work_id_the_post_hook_would_refuse_breaks_the_contract(String body) {
    String answer = body.replace("LONG", "x".repeat(HookJson.MAX_WORK_ID_LENGTH + 1));
    assertThatThrownBy(() -> HookJson.parseAnswer(answer).workId())
        .isInstanceOf(HookJson.ContractException.class)
        .hasMessageStartingWith("work_id ");
  }

  @Test
  void a_work_id_of_the_longest_accepted_length_is_read() throws HookJson.ContractException {
    String longest = "x".repeat(HookJson.MAX_WORK_ID_LENGTH);
    assertThat(HookJson.parseAnswer("{\"work_id\": \"" + longest + "\"}").workId())
        .isEqualTo(longest);
  }

  @Test
  void an_added_field_keeps_the_body_and_comes_last() {
    assertThat(HookJson.withField("{\"cluster_id\":\"c-1\",\"auth_id\":\"\"}", "work_id", "w-1"))
        .isEqualTo("{\"cluster_id\":\"c-1\",\"auth_id\":\"\",\"work_id\":\"w-1\"}");
  }
}
