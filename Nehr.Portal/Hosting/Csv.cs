using System.Text;
using Nehr.Core;

namespace Nehr.Portal.Hosting;

/// <summary>CSV cells and downloads for the portal's exports.</summary>
internal static class Csv
{
    /// <summary>
    /// Streams the rows as a CSV download (never cached). The first row is fetched before anything is written, so a
    /// refusal (403) or bad input (400) still gets its status code.
    /// </summary>
    public static async Task<IResult> DownloadAsync<T>(
        HttpContext context, IAsyncEnumerable<T> source, string fileName, string header, Func<T, string> line)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(line);
        context.Response.Headers.CacheControl = "no-store";
        await using var rows = source.GetAsyncEnumerator(context.RequestAborted);
        bool more;
        try
        {
            more = await rows.MoveNextAsync();
        }
        catch (DomainException e)
        {
            return Results.Problem(e.Message, statusCode: e is AccessRefusedException ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest);
        }

        context.Response.ContentType = "text/csv; charset=utf-8";
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
        await using var writer = new StreamWriter(context.Response.Body, new UTF8Encoding(false));
        await writer.WriteLineAsync(header);
        for (; more; more = await rows.MoveNextAsync())
        {
            await writer.WriteLineAsync(line(rows.Current));
        }

        return Results.Empty;
    }

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
