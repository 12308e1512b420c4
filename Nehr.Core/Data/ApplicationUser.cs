using Microsoft.AspNetCore.Identity;

namespace Nehr.Core.Data;

/// <summary>A portal account. Linked to the patient or the personnel record it signs in for.</summary>
public sealed class ApplicationUser : IdentityUser
{
    [PersonalData]
    public string DisplayName { get; set; } = string.Empty;

    /// <summary>Set for patient accounts.</summary>
    public int? PatientId { get; set; }

    /// <summary>Set for provider staff (clinicians and provider administrators).</summary>
    public int? PersonnelId { get; set; }

    /// <summary>Set on an account created with a temporary password: it must be changed at the first sign-in.</summary>
    public bool MustChangePassword { get; set; }

    /// <summary>The 30-second step of the last authenticator code accepted: a code of that step or an earlier one is refused.</summary>
    public long? LastAuthenticatorStep { get; set; }

    /// <summary>The patient chose to get notices by SMS, to <see cref="IdentityUser.PhoneNumber"/> (a mobile number in E.164).</summary>
    public bool SmsNotices { get; set; }

    /// <summary>The patient turned notices by e-mail off (on unless turned off: every notice was e-mailed before there was a choice).</summary>
    public bool EmailNoticesOff { get; set; }
}
