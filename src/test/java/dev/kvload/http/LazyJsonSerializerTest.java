package dev.kvload.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.azure.core.util.BinaryData;
import com.azure.core.util.serializer.JsonSerializerProviders;
import com.azure.core.util.serializer.TypeReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LazyJsonSerializerTest {
  @Test
  void isTheSerializerAzureCoreFinds() {
    assertInstanceOf(LazyJsonSerializer.class, JsonSerializerProviders.createInstance(true));
  }

  @Test
  void mapsObjectsAsTheSdksDefaultDoes() {
    Map<String, Object> value = Map.of("name", "db-url", "tags", List.of("a", "b"), "n", 3);
    BinaryData data = BinaryData.fromObject(value);
    assertEquals(value, data.toObject(new TypeReference<Map<String, Object>>() {}));
    assertEquals(
        value,
        new LazyJsonSerializer()
            .deserializeFromBytes(data.toBytes(), new TypeReference<Map<String, Object>>() {}));
  }
}
