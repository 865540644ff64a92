package dev.asof.http;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which methods a path allows, read once from the resources' own JAX-RS annotations, for the
 * {@code Allow} header of a 405 (RFC 9110 §15.5.6): no second list of routes to keep in step, and
 * no list of resources either ({@link #resources}).
 */
final class AllowedMethods {
    private static final Pattern TEMPLATE = Pattern.compile("\\{[^}]+}");

    private final Map<Pattern, TreeSet<String>> routes;

    private AllowedMethods(Map<Pattern, TreeSet<String>> routes) {
        this.routes = routes;
    }

    /**
     * Every resource class the application serves: Quarkus REST makes each class annotated
     * {@code @Path} a bean, so the container lists them, in name order.
     */
    static List<Class<?>> resources(BeanManager beans) {
        return beans.getBeans(Object.class, Any.Literal.INSTANCE).stream()
                .<Class<?>>map(Bean::getBeanClass)
                .filter(type -> type.isAnnotationPresent(Path.class))
                .distinct()
                .sorted(Comparator.comparing(Class::getName))
                .toList();
    }

    static AllowedMethods of(List<Class<?>> resources) {
        Map<String, TreeSet<String>> byTemplate = new java.util.LinkedHashMap<>();
        for (Class<?> resource : resources) {
            String base = resource.getAnnotation(Path.class).value();
            for (Method method : resource.getMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                Path sub = method.getAnnotation(Path.class);
                String template = join(base, sub == null ? "" : sub.value());
                TreeSet<String> verbs = byTemplate.computeIfAbsent(template, t -> new TreeSet<>(List.of("OPTIONS")));
                verbs.add(verb);
                if ("GET".equals(verb)) {
                    verbs.add("HEAD");
                }
            }
        }
        Map<Pattern, TreeSet<String>> routes = new java.util.LinkedHashMap<>();
        byTemplate.forEach((template, verbs) -> routes.put(
                Pattern.compile(TEMPLATE.matcher(Pattern.quote(template)).replaceAll("\\\\E[^/]+\\\\Q")), verbs));
        return new AllowedMethods(routes);
    }

    /** These routes and also {@code regex}, served outside JAX-RS (static files), with exactly {@code verbs}. */
    AllowedMethods and(String regex, String... verbs) {
        Map<Pattern, TreeSet<String>> more = new java.util.LinkedHashMap<>(routes);
        more.put(Pattern.compile(regex), new TreeSet<>(List.of(verbs)));
        return new AllowedMethods(more);
    }

    /** The Allow header for {@code path}, or null when nothing here serves it. */
    String allow(String path) {
        String normalized = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        List<String> all = new ArrayList<>();
        routes.forEach((pattern, verbs) -> {
            if (pattern.matcher(normalized).matches()) {
                verbs.stream().filter(v -> !all.contains(v)).forEach(all::add);
            }
        });
        return all.isEmpty() ? null : String.join(", ", all);
    }

    private static String verb(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
