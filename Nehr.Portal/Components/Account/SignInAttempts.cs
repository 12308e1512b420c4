using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nehr.Portal.Components.Account;

/// <summary>
/// The wrong passwords given in this browser for one e-mail address in a row, kept in a cookie, so that the sign-in
/// page can warn before the last attempt and say when a lock ends. Counted here, not read from the account: the
/// answer must be the same whether or not the account exists (a warning from the account's own counter would tell
/// that it does), so an unknown address is counted and "locked" exactly as a real one. The account's own counter
/// (Identity's lockout, in the database) is what actually locks; failures from elsewhere may lock it sooner, which
/// the refusal says.
/// </summary>
internal sealed record SignInAttempts(string EmailKey, int Failures, DateTime? LockedAtUtc)
{
    public const string CookieName = "nehr.sign-in-attempts";

    /// <summary>This browser's attempts for the address; a lock that has ended starts the count again.</summary>
    public static SignInAttempts Read(HttpContext context, string? email, DateTime nowUtc, TimeSpan lockout)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = KeyOf(email);
        var parts = context.Request.Cookies[CookieName]?.Split('|');
        if (parts is not [var stored, var failuresText, var lockedText] || stored != key
            || !int.TryParse(failuresText, NumberStyles.None, CultureInfo.InvariantCulture, out var failures))
        {
            return new SignInAttempts(key, 0, null);
        }

        DateTime? lockedAt = long.TryParse(lockedText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks is > 0 && ticks <= DateTime.MaxValue.Ticks
                ? new DateTime(ticks, DateTimeKind.Utc)
                : null;
        return lockedAt is { } at && at + lockout <= nowUtc ? new SignInAttempts(key, 0, null) : new SignInAttempts(key, failures, lockedAt);
    }

    /// <summary>One more wrong password: at the threshold the lock starts now (as the account's does).</summary>
    public SignInAttempts Failed(DateTime nowUtc, int threshold) =>
        Failures + 1 >= threshold
            ? this with { Failures = Failures + 1, LockedAtUtc = LockedAtUtc ?? nowUtc }
            : this with { Failures = Failures + 1 };

    /// <summary>How many wrong passwords are left before the lock (0 once locked).</summary>
    public int Left(int threshold) => Math.Max(0, threshold - Failures);

    public void Write(HttpContext context, TimeSpan lockout)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(CookieName,
            string.Create(CultureInfo.InvariantCulture, $"{EmailKey}|{Failures}|{LockedAtUtc?.Ticks ?? 0}"),
            new CookieOptions
            {
                HttpOnly = true,
                Secure = context.Request.IsHttps,
                SameSite = SameSiteMode.Strict,
                IsEssential = true,
                Path = "/Account",
                // Long enough to outlast a lock; nothing in it is worth keeping longer.
                MaxAge = lockout + TimeSpan.FromHours(1),
            });
    }

    public static void Clear(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/Account" });
    }

    /// <summary>The address, hashed (the cookie does not carry it), case and spaces aside.</summary>
    private static string KeyOf(string? email) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes((email ?? string.Empty).Trim().ToUpperInvariant())))[..16];
}
