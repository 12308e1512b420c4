namespace Nehr.Portal.Hosting;

/// <summary>Settings of the contribution API (section Nehr:Contribution).</summary>
public sealed class ContributionOptions
{
    public const string Section = "Nehr:Contribution";

    /// <summary>Lifetime of a system's access token.</summary>
    public int TokenMinutes { get; set; } = 5;

    /// <summary>Bundles a system may post per minute; more are answered 429 with Retry-After.</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>
    /// Token requests per minute for one client id from one address (a token lasts minutes; a system needs few):
    /// more are answered 429 with Retry-After before the secret is checked, so guessing secrets is slow.
    /// </summary>
    public int TokenRequestsPerMinute { get; set; } = 30;

    /// <summary>The largest bundle accepted (413 above it): a lifetime's export of one patient fits.</summary>
    public long MaxBundleBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>The largest population-register load (NDJSON, read as it arrives).</summary>
    public long MaxRegisterLoadBytes { get; set; } = 8L * 1024 * 1024 * 1024;
}
