import java.lang.reflect.Field;

/**
 * DynamoDB Local (1.25.1) has no option for the address it listens on: its DynamoDBProxyServer
 * makes a Jetty `new Server(port)`, which listens on every interface, so anyone on the network
 * could read and write the local tables. This launcher builds the same server from the same
 * command line (ServerRunner.createServerFromCommandLineArgs), sets its Jetty connectors' host to
 * 127.0.0.1 before starting it, and starts it. Run by infra/local/dynamodb-local.ts with Java's
 * source launcher (`java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java <options>`: needs the
 * jdk.compiler module, which every JDK and Debian's openjdk-17-jre-headless have). Reflection
 * only, so it compiles against nothing but the JDK.
 */
public class LoopbackDynamoDbLocal {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("com.amazonaws.services.dynamodbv2.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field field = proxy.getClass().getDeclaredField("server");
    field.setAccessible(true);
    Object server = field.get(proxy);
    Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind to " + HOST);
    for (Object connector : connectors) connector.getClass().getMethod("setHost", String.class).invoke(connector, HOST);
    proxy.getClass().getMethod("start").invoke(proxy);
  }
}
