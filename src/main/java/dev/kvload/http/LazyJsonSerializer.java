package dev.kvload.http;

import com.azure.core.util.serializer.JacksonAdapter;
import com.azure.core.util.serializer.JsonSerializer;
import com.azure.core.util.serializer.JsonSerializerProvider;
import com.azure.core.util.serializer.SerializerAdapter;
import com.azure.core.util.serializer.SerializerEncoding;
import com.azure.core.util.serializer.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import reactor.core.publisher.Mono;

/**
 * azure-core's default JSON serializer, built on first use instead of when {@code BinaryData} is
 * loaded. Every HTTP answer passes through {@code BinaryData}, whose class builds its serializer,
 * and so Jackson's object mappers, at load: ~75 ms of start-up CPU here, for object mapping that
 * kvload's requests never use (they read bodies as bytes). Found by azure-core through the {@link
 * JsonSerializerProvider} service file; the work and the results are the SDK's own.
 */
public final class LazyJsonSerializer implements JsonSerializer {
  private volatile SerializerAdapter adapter;

  private SerializerAdapter adapter() {
    SerializerAdapter built = adapter;
    if (built == null) {
      synchronized (this) {
        if (adapter == null) {
          adapter = JacksonAdapter.createDefaultSerializerAdapter();
        }
        built = adapter;
      }
    }
    return built;
  }

  @Override
  public <T> T deserialize(InputStream stream, TypeReference<T> typeReference) {
    try {
      return adapter().deserialize(stream, typeReference.getJavaType(), SerializerEncoding.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public <T> Mono<T> deserializeAsync(InputStream stream, TypeReference<T> typeReference) {
    return Mono.fromCallable(() -> deserialize(stream, typeReference));
  }

  @Override
  public void serialize(OutputStream stream, Object value) {
    try {
      adapter().serialize(value, SerializerEncoding.JSON, stream);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Mono<Void> serializeAsync(OutputStream stream, Object value) {
    return Mono.fromRunnable(() -> serialize(stream, value));
  }

  /** What the service file names. */
  public static final class Provider implements JsonSerializerProvider {
    @Override
    public JsonSerializer createInstance() {
      return new LazyJsonSerializer();
    }
  }
}
