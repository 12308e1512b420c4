using System.ComponentModel.DataAnnotations;

namespace Nehr.Core.Access;

/// <summary>Settings of section "Nehr:Access".</summary>
public sealed class AccessOptions
{
    public const string Section = "Nehr:Access";

    /// <summary>How long an emergency override lasts, in hours: at least 1, never more than 120 (5 days).</summary>
    [Range(1, 120, ErrorMessage = "Nehr:Access:OverrideHours must be between 1 and 120 (5 days).")]
    public int OverrideHours { get; set; } = 4;

    public TimeSpan OverrideDuration => TimeSpan.FromHours(OverrideHours);
}
