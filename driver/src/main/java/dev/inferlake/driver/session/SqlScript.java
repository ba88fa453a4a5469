package dev.inferlake.driver.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CodePointCharStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.Interval;
import org.apache.spark.sql.catalyst.parser.SqlBaseLexer;
import org.apache.spark.sql.catalyst.parser.UpperCaseCharStream;

/**
 * Splits SQL text into statements at {@code ;}, using Spark's own SQL lexer, so that a {@code ;}
 * inside a string literal, a backquoted name or a comment is never taken for a separator, exactly
 * as Spark reads them (escapes, raw strings, nested comments included).
 */
public final class SqlScript {
  private SqlScript() {}

  /**
   * One statement of a script.
   *
   * @param line the 1-based line of the script where the statement starts
   * @param text the statement without its {@code ;}, leading comments and surrounding whitespace
   */
  public record Statement(int line, String text) {}

  /**
   * The statements of {@code script} in order. Empty statements ({@code ;;}, or only comments) are
   * left out. Text the lexer does not recognize, such as an unclosed quote, stays in its statement
   * for Spark's parser to report.
   *
   * @param script SQL text, statements separated by {@code ;}; the last one may lack it
   * @return the statements, possibly none
   */
  public static List<Statement> split(String script) {
    Objects.requireNonNull(script, "script");
    CodePointCharStream chars = CharStreams.fromString(script);
    SqlBaseLexer lexer = new SqlBaseLexer(new UpperCaseCharStream(chars));
    lexer.removeErrorListeners(); // what it cannot read, Spark's parser reports per statement
    List<Statement> statements = new ArrayList<>();
    Token first = null;
    for (Token t = lexer.nextToken(); ; t = lexer.nextToken()) {
      boolean eof = t.getType() == Token.EOF;
      if (eof || t.getType() == SqlBaseLexer.SEMICOLON) {
        if (first != null) {
          // Token indexes count code points, as the char stream does.
          int end = (eof ? chars.size() : t.getStartIndex()) - 1;
          String text = chars.getText(Interval.of(first.getStartIndex(), end)).strip();
          statements.add(new Statement(first.getLine(), text));
          first = null;
        }
        if (eof) {
          return statements;
        }
      } else if (first == null && t.getChannel() == Token.DEFAULT_CHANNEL) {
        first = t;
      }
    }
  }
}
