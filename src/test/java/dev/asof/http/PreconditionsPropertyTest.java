package dev.asof.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.EntityTag;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Preconditions} against a model of RFC 9110 that never parses: header fields are generated
 * from what they hold — entity tags weak and strong, opaque-tags with commas inside their quotes,
 * spaces and tabs around the commas, empty elements, several field lines, {@code *}, and elements
 * that break the grammar — and what §13.1.2 (weak comparison) and §13.1.1 (strong comparison) say of
 * them is worked out from those parts.
 */
class PreconditionsPropertyTest {
    /** Characters an opaque-tag may hold (etagc), commas and obs-text among them; few, so that tags collide. */
    private static final String ETAGC = "ab,,!#~/W\u00e9";

    /** One element of a generated list, and what the model knows of it: an entity tag's opaque-tag (else null). */
    private record Element(String text, String opaque, boolean weak, boolean malformed, boolean star) {
    }

    @Test
    void theEvaluatorAgreesWithTheModelOnGeneratedFields() {
        long seed = Long.getLong("asof.test.seed", System.nanoTime());
        Random random = new Random(seed);
        int matched = 0;
        int malformed = 0;
        for (int i = 0; i < 50_000; i++) {
            String currentOpaque = opaque(random);
            EntityTag current = new EntityTag(currentOpaque, random.nextBoolean());

            List<Element> elements = new ArrayList<>();
            int count = random.nextInt(6);
            for (int e = 0; e < count; e++) {
                elements.add(element(random, currentOpaque));
            }
            if (count == 0 && random.nextInt(4) == 0) {
                elements.add(new Element("*", null, false, true, true));
            }
            // "*" is the whole field or it breaks the list it is in.
            boolean star = elements.size() == 1 && elements.get(0).star();
            List<String> lines = lines(random, elements);
            String field = String.join(",", lines);

            boolean broken = !star && elements.stream().anyMatch(Element::malformed);
            boolean anyWeakMatch = elements.stream().anyMatch(el -> currentOpaque.equals(el.opaque()));
            boolean anyStrongMatch = !current.isWeak()
                    && elements.stream().anyMatch(el -> !el.weak() && currentOpaque.equals(el.opaque()));
            // §13.1.2: "*" is false; a list is false when one tag matches weakly; otherwise (malformed too) true.
            boolean noneMatchHolds = !star && (broken || !anyWeakMatch);
            // §13.1.1: "*" is true; a list is true when one tag matches strongly; otherwise (malformed too) false.
            boolean matchHolds = star || (!broken && anyStrongMatch);

            String what = "seed " + seed + ": [" + field + "] against " + current;
            assertThat(Preconditions.ifNoneMatch(field, current)).as(what).isEqualTo(noneMatchHolds);
            assertThat(Preconditions.ifMatch(field, current)).as(what).isEqualTo(matchHolds);
            assertThat(Preconditions.evaluate(null, lines, current)).as(what)
                    .isEqualTo(noneMatchHolds ? Preconditions.Outcome.ANSWER : Preconditions.Outcome.NOT_MODIFIED);
            assertThat(Preconditions.evaluate(lines, lines, current)).as(what)
                    .isEqualTo(!matchHolds ? Preconditions.Outcome.PRECONDITION_FAILED
                            : noneMatchHolds ? Preconditions.Outcome.ANSWER : Preconditions.Outcome.NOT_MODIFIED);
            matched += !noneMatchHolds ? 1 : 0;
            malformed += broken ? 1 : 0;
        }
        // The generator reaches every case, each often.
        assertThat(matched).as("fields that match").isGreaterThan(5_000);
        assertThat(malformed).as("fields that are malformed").isGreaterThan(5_000);
    }

    @Test
    void aCommaInsideQuotesDoesNotSplitATag() {
        assertThat(Preconditions.entityTags("\"a,b\", W/\"c\"")).containsExactly(new EntityTag("a,b"),
                new EntityTag("c", true));
        assertThat(Preconditions.ifNoneMatch("\"x,abc\"", new EntityTag("abc"))).isTrue();
        assertThat(Preconditions.ifNoneMatch("\"x,abc\"", new EntityTag("x,abc", true))).isFalse();
    }

    private static String opaque(Random random) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(4);
        for (int i = 0; i < length; i++) {
            text.append(ETAGC.charAt(random.nextInt(ETAGC.length())));
        }
        return text.toString();
    }

    /** An element: often a tag with the current opaque-tag, or one that contains it beside a comma. */
    private static Element element(Random random, String currentOpaque) {
        int kind = random.nextInt(20);
        boolean weak = random.nextBoolean();
        String opaque = switch (random.nextInt(4)) {
            case 0 -> currentOpaque;
            case 1 -> "x," + currentOpaque;
            case 2 -> currentOpaque + ",";
            default -> opaque(random);
        };
        String tag = (weak ? "W/" : "") + "\"" + opaque + "\"";
        return switch (kind) {
            case 0, 1 -> new Element("", null, false, false, false); // an empty element
            case 2 -> new Element("*", null, false, true, true); // "*" is the whole field or nothing
            case 3 -> new Element("x" + opaque, null, false, true, false); // no quotes
            case 4 -> new Element("w/\"" + opaque + "\"", null, false, true, false); // W/ is case-sensitive
            case 5 -> new Element("W/ \"" + opaque + "\"", null, false, true, false);
            case 6 -> new Element("\"" + opaque + " ", null, false, true, false); // no closing quote
            case 7 -> new Element("\"" + opaque + " x\"", null, false, true, false); // a space is not etagc
            case 8 -> new Element("\"" + opaque + "\u20ac\"", null, false, true, false); // nor is a character past U+00FF
            case 9 -> new Element(tag + "x", null, false, true, false); // something after the tag
            case 10 -> new Element(tag + " " + tag, null, false, true, false); // two tags, no comma
            default -> new Element(tag, opaque, weak, false, false);
        };
    }

    /** The elements as one or more field lines: commas with optional spaces or tabs, sometimes a line break. */
    private static List<String> lines(Random random, List<Element> elements) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(ows(random));
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                if (random.nextInt(5) == 0) {
                    lines.add(line.append(ows(random)).toString());
                    line = new StringBuilder(ows(random));
                } else {
                    line.append(ows(random)).append(',').append(ows(random));
                }
            }
            line.append(elements.get(i).text());
        }
        lines.add(line.append(ows(random)).toString());
        return lines;
    }

    private static String ows(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> " ";
            case 1 -> "\t";
            case 2 -> " \t ";
            default -> "";
        };
    }
}
