package dev.kvload.http;

import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.Configuration;
import com.azure.core.util.ConfigurationBuilder;
import com.azure.core.util.CoreUtils;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.InetAddress;
import java.net.ProxySelector;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The one HTTP client of a run, shared by the credential and every vault client, and the SDK
 * configuration read from the run's environment (never the process's global one).
 *
 * <p>It must be closed before the JVM exits: a JDK client's selector thread left parked delays exit
 * by about a third of a second.
 */
public final class Transport implements AutoCloseable {
  private final java.net.http.HttpClient jdkClient;
  private final HttpClient client;
  private final ExecutorService executor;
  private final Map<String, String> env;
  private final Configuration configuration;
  private final RequestTags tags;

  private Transport(
      java.net.http.HttpClient jdkClient,
      HttpClient client,
      ExecutorService executor,
      Map<String, String> env,
      Configuration configuration,
      RequestTags tags) {
    this.jdkClient = jdkClient;
    this.client = client;
    this.executor = executor;
    this.env = Map.copyOf(env);
    this.configuration = configuration;
    this.tags = tags;
  }

  /** Opens the transport, its requests tagged with a plain {@code kvload} User-Agent. */
  public static Transport open(Map<String, String> env, Duration connectTimeout) {
    return open(env, connectTimeout, RequestTags.forRun("kvload"));
  }

  /**
   * Opens the transport.
   *
   * @param env the run's environment: proxies and Azure settings come from here
   * @param connectTimeout bounds each TCP+TLS connect
   * @param tags put on every request sent, by the vault clients and the credential alike
   */
  public static Transport open(Map<String, String> env, Duration connectTimeout, RequestTags tags) {
    Configuration configuration = configuration(env);
    ExecutorService executor =
        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kvload-http-", 0).factory());
    Capturing capturing = new Capturing(java.net.http.HttpClient.newBuilder());
    HttpClient client =
        new JdkHttpClientBuilder(capturing)
            .executor(executor)
            .connectionTimeout(connectTimeout)
            .configuration(configuration)
            .build();
    return new Transport(
        capturing.built.get(),
        new TaggingHttpClient(client, tags),
        executor,
        env,
        configuration,
        tags);
  }

  /**
   * A transport whose requests go to {@code client} instead of the network: the seam through which
   * tests answer a vault's requests in-process, on the real pipeline.
   */
  public static Transport over(HttpClient client, Map<String, String> env) {
    return new Transport(
        null,
        client,
        Executors.newVirtualThreadPerTaskExecutor(),
        env,
        configuration(env),
        RequestTags.forRun("kvload"));
  }

  /** The SDK configuration seen through the run's environment only. */
  public static Configuration configuration(Map<String, String> env) {
    return new ConfigurationBuilder(source -> Map.of(), source -> Map.of(), source -> env).build();
  }

  public HttpClient client() {
    return client;
  }

  public ExecutorService executor() {
    return executor;
  }

  public Configuration configuration() {
    return configuration;
  }

  /**
   * The User-Agent policy an SDK's client builder adds ({@code azsdk-java-NAME/VERSION (Java;
   * OS)}), named from that SDK's own properties file, for pipelines kvload builds in its place.
   */
  public HttpPipelinePolicy sdkUserAgent(String propertiesFile) {
    Map<String, String> sdk = CoreUtils.getProperties(propertiesFile);
    return new UserAgentPolicy(
        null,
        sdk.getOrDefault("name", "UnknownName"),
        sdk.getOrDefault("version", "UnknownVersion"),
        configuration);
  }

  /** The run's environment, which {@link #configuration()} reads. */
  public Map<String, String> env() {
    return env;
  }

  /**
   * The run's configuration with some variables replaced (a null value removes one): how a command
   * line option such as {@code --tenant-id} reaches an SDK class that only reads the environment.
   */
  public Configuration configurationWith(Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>(env);
    overrides.forEach(
        (name, value) -> {
          if (value == null) {
            merged.remove(name);
          } else {
            merged.put(name, value);
          }
        });
    return configuration(merged);
  }

  /** What identifies this run's requests in a vault's logs. */
  public RequestTags tags() {
    return tags;
  }

  @Override
  public void close() {
    if (jdkClient != null) {
      jdkClient.shutdownNow();
    }
    executor.shutdownNow();
  }

  /**
   * Hands the builder through to the SDK but keeps the client it builds, which the SDK's wrapper
   * would otherwise hide, so that it can be shut down.
   */
  private static final class Capturing implements java.net.http.HttpClient.Builder {
    private final java.net.http.HttpClient.Builder delegate;
    private final AtomicReference<java.net.http.HttpClient> built = new AtomicReference<>();

    Capturing(java.net.http.HttpClient.Builder delegate) {
      this.delegate = delegate;
    }

    @Override
    public java.net.http.HttpClient build() {
      java.net.http.HttpClient client = delegate.build();
      built.set(client);
      return client;
    }

    @Override
    public Capturing cookieHandler(CookieHandler cookieHandler) {
      delegate.cookieHandler(cookieHandler);
      return this;
    }

    @Override
    public Capturing connectTimeout(Duration duration) {
      delegate.connectTimeout(duration);
      return this;
    }

    @Override
    public Capturing sslContext(SSLContext sslContext) {
      delegate.sslContext(sslContext);
      return this;
    }

    @Override
    public Capturing sslParameters(SSLParameters sslParameters) {
      delegate.sslParameters(sslParameters);
      return this;
    }

    @Override
    public Capturing executor(java.util.concurrent.Executor executor) {
      delegate.executor(executor);
      return this;
    }

    @Override
    public Capturing followRedirects(java.net.http.HttpClient.Redirect policy) {
      delegate.followRedirects(policy);
      return this;
    }

    @Override
    public Capturing version(java.net.http.HttpClient.Version version) {
      delegate.version(version);
      return this;
    }

    @Override
    public Capturing priority(int priority) {
      delegate.priority(priority);
      return this;
    }

    @Override
    public Capturing proxy(ProxySelector proxySelector) {
      delegate.proxy(proxySelector);
      return this;
    }

    @Override
    public Capturing authenticator(Authenticator authenticator) {
      delegate.authenticator(authenticator);
      return this;
    }

    @Override
    public Capturing localAddress(InetAddress localAddr) {
      delegate.localAddress(localAddr);
      return this;
    }
  }
}
