namespace Nehr.Portal.Hosting;

/// <summary>CSV cells for the portal's exports.</summary>
internal static class Csv
{
    /// <summary>A quoted-as-needed cell; one a spreadsheet would run as a formula is neutralised.</summary>
    public static string Cell(string? value)
    {
        var text = value ?? string.Empty;
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }
}
