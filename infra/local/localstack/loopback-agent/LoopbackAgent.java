// Java agent that makes AWS's DynamoDB Local listen on 127.0.0.1 only.
//
// Why: DynamoDB Local has no host option; `new org.eclipse.jetty.server.Server(port)` creates a
// ServerConnector on all interfaces. LocalStack starts DynamoDB Local with
// `-javaagent:<lib>/dynamodb-local/2/ddb-local-loader-0.1.jar`; start.sh puts this agent in that slot.
// Before DynamoDBProxyServer.start()/safeStart() start Jetty, the inserted code calls
// setHost(host) on every ServerConnector of its `server` field.
// Host: system property `ddblocal.host` or the agent argument, default 127.0.0.1.
// Fails closed: if the class cannot be patched the JVM exits rather than listen on 0.0.0.0.
package local.shop.ddb;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;

import javassist.ClassPool;
import javassist.CtClass;
import javassist.CtMethod;
import javassist.LoaderClassPath;

public final class LoopbackAgent {
    private static final String TARGET = "com/amazonaws/services/dynamodbv2/local/server/DynamoDBProxyServer";

    public static void premain(String args, Instrumentation inst) {
        String host = System.getProperty("ddblocal.host",
                args == null || args.isEmpty() ? "127.0.0.1" : args);
        inst.addTransformer(new ClassFileTransformer() {
            @Override
            public byte[] transform(ClassLoader loader, String name, Class<?> cls,
                                    ProtectionDomain pd, byte[] bytes) {
                if (!TARGET.equals(name)) return null;
                try {
                    ClassPool pool = new ClassPool(true);
                    pool.appendClassPath(new LoaderClassPath(loader));
                    CtClass ct = pool.makeClass(new java.io.ByteArrayInputStream(bytes));
                    String bind = "{ org.eclipse.jetty.server.Connector[] cs = this.server.getConnectors();"
                            + " for (int i = 0; i < cs.length; i++) {"
                            + "   if (cs[i] instanceof org.eclipse.jetty.server.ServerConnector) {"
                            + "     ((org.eclipse.jetty.server.ServerConnector) cs[i]).setHost(\"" + host + "\");"
                            + "   } }"
                            + " System.err.println(\"loopback-agent: DynamoDB Local connectors bound to " + host + "\"); }";
                    int patched = 0;
                    for (CtMethod m : ct.getDeclaredMethods()) {
                        if (m.getName().equals("start") || m.getName().equals("safeStart")) {
                            m.insertBefore(bind);
                            patched++;
                        }
                    }
                    if (patched == 0) throw new IllegalStateException("no start()/safeStart() in " + name);
                    byte[] out = ct.toBytecode();
                    ct.detach();
                    return out;
                } catch (Throwable t) {
                    System.err.println("loopback-agent: cannot patch " + name + ", refusing to listen on all interfaces: " + t);
                    t.printStackTrace();
                    Runtime.getRuntime().halt(70);
                    return null;
                }
            }
        });
    }
}
