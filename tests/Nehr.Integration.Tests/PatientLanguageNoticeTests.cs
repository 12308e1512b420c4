using System.Net;
using Microsoft.EntityFrameworkCore;
using Nehr.Core.Access;
using Nehr.Core.Data.Demo;
using Nehr.Core.Notifications;

namespace Nehr.Integration.Tests;

/// <summary>
/// What a patient receives outside the pages, in the language kept with their account: notices (rendered when read),
/// the e-mail that carries them (written when enqueued), and refusals; a notice stored before notices kept a key
/// still shows as it was written.
/// </summary>
public sealed class PatientLanguageNoticeTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new();
    private DemoWorld _world = null!;

    public async Task InitializeAsync() => _world = await DemoWorld.LoadAsync(_portal);

    public Task DisposeAsync()
    {
        _portal.Dispose();
        return Task.CompletedTask;
    }

    private static async Task ChooseAsync(HttpClient client, string language)
    {
        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/patient");
        using var response = await client.PostAsync("/language", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["language"] = language, ["returnUrl"] = "/patient",
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private Task<RecordView> DoctorOpensTheRecordAsync() =>
        _portal.WithAsync<RecordGate, RecordView>(g => g.OpenAsync(new RecordRequest(DemoWorld.As(_world.DoctorUserId), _world.OpenPatientId, PurposeOfUse.Treatment)));

    [Fact]
    public async Task A_patient_who_chose_Malay_gets_the_notice_and_its_email_in_Malay()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        await ChooseAsync(client, "ms");

        await DoctorOpensTheRecordAsync();

        await using var db = _portal.CreateDbContext();
        var mail = await db.OutboxMessages.Where(m => m.To == DemoAccounts.Patient).OrderBy(m => m.Id).LastAsync();
        Assert.Equal("NEHR: rekod kesihatan anda telah diakses", mail.Subject);
        Assert.Contains("Central General Hospital mengakses rekod anda buat kali pertama: seorang doktor melihat rekod penuh anda pada ", mail.Body, StringComparison.Ordinal);
        Assert.Contains("(waktu Singapura).", mail.Body, StringComparison.Ordinal);
        Assert.Contains("Log masuk ke Portal NEHR untuk melihat siapa yang mengakses rekod anda.", mail.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("accessed your record", mail.Body, StringComparison.Ordinal);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/notifications"));
        Assert.Contains("Central General Hospital mengakses rekod anda buat kali pertama: seorang doktor melihat rekod penuh anda pada ", page, StringComparison.Ordinal);
        Assert.DoesNotContain("accessed your record for the first time", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_notice_is_shown_in_the_language_chosen_when_it_is_read_not_when_it_was_written()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        await DoctorOpensTheRecordAsync();

        await ChooseAsync(client, "zh");
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/notifications"));

        Assert.Contains("Central General Hospital首次查看了您的记录：一名医生于 ", page, StringComparison.Ordinal);
        Assert.Contains(" (新加坡时间) 查看了您的完整记录。", page, StringComparison.Ordinal);
        await using var db = _portal.CreateDbContext();
        var mail = await db.OutboxMessages.Where(m => m.To == DemoAccounts.Patient).OrderBy(m => m.Id).LastAsync();
        Assert.Equal(PatientNotifier.Subject, mail.Subject); // the account had no language when the e-mail was written
    }

    [Fact]
    public async Task A_notice_stored_before_notices_kept_a_key_still_shows_its_message()
    {
        const string old = "Central General Hospital accessed your record for the first time: a doctor saw your full record on 3 Mar 2026, 09:15 (Singapore time).";
        await using (var db = _portal.CreateDbContext())
        {
            db.PatientNotices.Add(new PatientNotice(_world.OpenPatientId, NoticeKind.FirstAccessByProvider, old, _portal.Clock.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync();
        }

        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        await ChooseAsync(client, "ms");
        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/patient/notifications"));

        Assert.Contains(old, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_from_Core_is_shown_in_the_patients_language()
    {
        using var client = await _portal.SignedInClientAsync(DemoAccounts.Patient);
        await ChooseAsync(client, "zh");
        string nric;
        int before;
        await using (var db = _portal.CreateDbContext())
        {
            nric = (await db.Patients.SingleAsync(p => p.Id == _world.OpenPatientId)).Nric.Value;
            before = await db.Representations.CountAsync();
        }

        var token = await PortalSignIn.AntiforgeryTokenAsync(client, "/patient/caregivers");
        using var response = await client.PostAsync("/patient/caregivers", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "invite", ["__RequestVerificationToken"] = token, ["nric"] = nric, ["record"] = "on",
        }));
        var page = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("这是您自己的 NRIC/FIN：请邀请将帮助您的人。", page, StringComparison.Ordinal);
        await using var check = _portal.CreateDbContext();
        Assert.Equal(before, await check.Representations.CountAsync());
    }
}
