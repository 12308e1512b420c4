namespace Nehr.Core.Data;

/// <summary>
/// "Contains, ignoring case" the same way on SQLite (whose LIKE ignores ASCII case) and PostgreSQL (whose LIKE does
/// not): the column is compared upper-cased, <c>EF.Functions.Like(x.Name.ToUpper(), TextSearch.ContainsPattern(term))</c>.
/// </summary>
public static class TextSearch
{
    /// <summary>A LIKE pattern for "contains the term", upper-case; the wildcards % and _ typed by a user are dropped.</summary>
    public static string ContainsPattern(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var literal = term.Trim().Replace("%", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal);
        return $"%{literal.ToUpperInvariant()}%";
    }
}
