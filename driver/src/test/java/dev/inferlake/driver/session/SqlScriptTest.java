package dev.inferlake.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inferlake.driver.session.SqlScript.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
  static List<String> texts(String script) {
    return SqlScript.split(script).stream().map(Statement::text).toList();
  }

  @Test
  void splitsAtSemicolonsAndDropsEmptyStatements() {
    assertEquals(List.of("SELECT 1", "SELECT 2"), texts("SELECT 1; SELECT 2"));
    assertEquals(List.of("SELECT 1", "SELECT 2"), texts(";;\n SELECT 1 ;\n\n;SELECT 2;\n  ;  "));
    assertEquals(List.of(), texts(""));
    assertEquals(List.of(), texts(" ;\n-- only a comment; here\n/* and ; this */ ;"));
  }

  @Test
  void aSemicolonInAStringLiteralOrNameIsNoSeparator() {
    assertEquals(
        List.of("SELECT 'a;b', \"c;d\"", "SELECT 2"), texts("SELECT 'a;b', \"c;d\"; SELECT 2"));
    assertEquals(List.of("SELECT * FROM `x;y`", "SELECT 2"), texts("SELECT * FROM `x;y`;SELECT 2"));
    // escapes as Spark reads them: \' and \" inside, `` doubled in names, adjacent literals
    assertEquals(
        List.of("SELECT 'it\\'s; ok'", "SELECT 2"), texts("SELECT 'it\\'s; ok'; SELECT 2"));
    assertEquals(List.of("SELECT \"a\\\";b\"", "SELECT 2"), texts("SELECT \"a\\\";b\"; SELECT 2"));
    assertEquals(List.of("SELECT 'a\\\\'", "SELECT ';'"), texts("SELECT 'a\\\\'; SELECT ';'"));
    assertEquals(
        List.of("SELECT 1 AS `a``;b`", "SELECT 2"), texts("SELECT 1 AS `a``;b`; SELECT 2"));
    assertEquals(List.of("SELECT 'a''; b'", "SELECT 2"), texts("SELECT 'a''; b'; SELECT 2"));
  }

  @Test
  void aRawStringEndsAtItsQuoteEvenAfterABackslash() {
    assertEquals(List.of("SELECT r'C:\\'", "SELECT 2"), texts("SELECT r'C:\\'; SELECT 2"));
    assertEquals(List.of("SELECT R\"a\\\"", "SELECT 2"), texts("SELECT R\"a\\\"; SELECT 2"));
  }

  @Test
  void aSemicolonInACommentIsNoSeparator() {
    assertEquals(
        List.of("SELECT 1 -- one; really\n  + 1", "SELECT 2"),
        texts("SELECT 1 -- one; really\n  + 1; SELECT 2"));
    assertEquals(
        List.of("SELECT /* a; /* nested; */ still; */ 1", "SELECT 2"),
        texts("SELECT /* a; /* nested; */ still; */ 1; SELECT 2"));
    // a comment before a statement is not part of it; one at the end of the text is
    assertEquals(
        List.of("SELECT 1", "SELECT 2 -- the last"),
        texts("-- first; comment\n/* block; */ SELECT 1;\nSELECT 2 -- the last"));
  }

  @Test
  void linesCountFromTheScriptsStartAndTextKeepsNonAsciiCharacters() {
    List<Statement> all =
        SqlScript.split("-- header\nSELECT '\uD83D\uDE00;é' AS s;\n\n  SELECT\n  2;\nSELECT 3");
    assertEquals(
        List.of(
            new Statement(2, "SELECT '\uD83D\uDE00;é' AS s"),
            new Statement(4, "SELECT\n  2"),
            new Statement(6, "SELECT 3")),
        all);
  }

  @Test
  void anUnclosedQuoteStaysInItsStatementForSparkToReport() {
    // the lexer reads the lone quote as one unrecognized character and goes on
    assertEquals(List.of("SELECT 'abc", "SELECT 2"), texts("SELECT 'abc; SELECT 2"));
    assertEquals(List.of("SELECT `abc", "SELECT 2"), texts("SELECT `abc; SELECT 2"));
  }

  @Test
  void aHintIsNoCommentAndLowerCaseIsRead() {
    assertEquals(
        List.of("select /*+ BROADCAST(t) */ * from t", "show tables"),
        texts("select /*+ BROADCAST(t) */ * from t;show tables"));
  }
}
