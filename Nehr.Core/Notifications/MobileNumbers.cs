using PhoneNumbers;

namespace Nehr.Core.Notifications;

/// <summary>
/// A phone number a patient gives for notices by SMS, checked with libphonenumber: a number without a country code is
/// Singapore's (+65); it is kept in E.164 (+6591234567); only a mobile number can receive an SMS.
/// </summary>
public static class MobileNumbers
{
    /// <summary>The region of a number typed without its country code.</summary>
    public const string DefaultRegion = "SG";

    /// <summary>Longer than any number with spaces, dashes and a country code: not worth parsing.</summary>
    public const int MaxInputLength = 30;

    public static readonly PatientMessage Missing = new PatientMessage("Enter your mobile number to get notices by SMS.");

    public static readonly PatientMessage Invalid = new PatientMessage(
        "This is not a valid phone number. Enter a Singapore number such as 9123 4567, or a number of another country with its code, such as +60 12 345 6789.");

    public static readonly PatientMessage NotMobile = new PatientMessage("An SMS can only be sent to a mobile number, and this number is not one.");

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The number in E.164, when it is a valid mobile number; otherwise the reason, fit to show to the patient.</summary>
    public static bool TryParseMobile(string? text, out string e164, out PatientMessage? error)
    {
        e164 = string.Empty;
        var trimmed = (text ?? string.Empty).Trim();
        if (trimmed.Length == 0)
        {
            error = Missing;
            return false;
        }

        PhoneNumber number;
        try
        {
            number = trimmed.Length > MaxInputLength ? throw new NumberParseException(ErrorType.TOO_LONG, "too long") : Util.Parse(trimmed, DefaultRegion);
        }
        catch (NumberParseException)
        {
            error = Invalid;
            return false;
        }

        if (!Util.IsValidNumber(number))
        {
            error = Invalid;
            return false;
        }

        if (Util.GetNumberType(number) is not (PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE))
        {
            error = NotMobile;
            return false;
        }

        e164 = Util.Format(number, PhoneNumberFormat.E164);
        error = null;
        return true;
    }

    /// <summary>A number kept before is still a valid mobile number (a number kept in another form is never texted).</summary>
    public static bool IsMobile(string? e164) => TryParseMobile(e164, out var parsed, out _) && parsed == e164;

    /// <summary>The number with all but its last four digits hidden, for the audit trail: "+65****4567".</summary>
    public static string Masked(string e164) =>
        e164.Length <= 7 ? "****" : string.Concat(e164.AsSpan(0, 3), new string('*', e164.Length - 7), e164.AsSpan(e164.Length - 4));
}
