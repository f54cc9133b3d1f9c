// Runs a RegexSerDe pattern the way Athena does (Trino's RegexDeserializer: Pattern.compile(regex, DOTALL),
// then matcher.matches()) over lines read from stdin, and prints one JSON array of the captured groups per
// line (null for a group that did not participate), or null when the line does not match.
// Usage: java RegexCheck.java <file holding the pattern> < lines
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class RegexCheck {
    public static void main(String[] args) throws Exception {
        Pattern pattern = Pattern.compile(Files.readString(Path.of(args[0]), StandardCharsets.UTF_8), Pattern.DOTALL);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder out = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            Matcher m = pattern.matcher(line);
            if (!m.matches()) {
                out.append("null\n");
                continue;
            }
            out.append('[');
            for (int g = 1; g <= m.groupCount(); g++) {
                if (g > 1) out.append(',');
                String value = m.group(g);
                out.append(value == null ? "null" : json(value));
            }
            out.append("]\n");
        }
        System.out.print(out);
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
