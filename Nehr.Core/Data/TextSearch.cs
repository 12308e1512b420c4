namespace Nehr.Core.Data;

/// <summary>
/// "Contains, ignoring case" the same way on SQLite (whose LIKE ignores ASCII case) and PostgreSQL (whose LIKE does
/// not): the column is compared upper-cased,
/// <c>EF.Functions.Like(x.Name.ToUpper(), TextSearch.ContainsPattern(term), TextSearch.Escape)</c>.
/// </summary>
public static class TextSearch
{
    /// <summary>The LIKE escape character of <see cref="ContainsPattern"/>.</summary>
    public const string Escape = "\\";

    /// <summary>
    /// A LIKE pattern for "contains the term", upper-case. What the user typed is taken literally: % and _ (and the
    /// escape character) are escaped, so "%" finds names with a per cent sign, not every name.
    /// </summary>
    public static string ContainsPattern(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var literal = term.Trim().ToUpperInvariant()
            .Replace(Escape, Escape + Escape, StringComparison.Ordinal)
            .Replace("%", Escape + "%", StringComparison.Ordinal)
            .Replace("_", Escape + "_", StringComparison.Ordinal);
        return $"%{literal}%";
    }
}
