using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nehr.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Representatives : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Representations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PatientId = table.Column<int>(type: "INTEGER", nullable: false),
                    RepresentativeNric = table.Column<string>(type: "TEXT", maxLength: 9, nullable: false),
                    RepresentativeId = table.Column<int>(type: "INTEGER", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Powers = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartsAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    EndsAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    OrderReference = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    CreatedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AnsweredAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EndedAtUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EndedByUserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    EndReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Representations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Representations_Patients_PatientId",
                        column: x => x.PatientId,
                        principalTable: "Patients",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_Representations_Patients_RepresentativeId",
                        column: x => x.RepresentativeId,
                        principalTable: "Patients",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Representative",
                table: "AuditEvents",
                columns: new[] { "PatientId", "OccurredAtUtc" },
                filter: "\"ActorRole\" = 'Representative'");

            migrationBuilder.CreateIndex(
                name: "IX_Representations_PatientId_RepresentativeNric_Kind",
                table: "Representations",
                columns: new[] { "PatientId", "RepresentativeNric", "Kind" },
                unique: true,
                filter: "\"State\" IN ('Invited', 'Active')");

            migrationBuilder.CreateIndex(
                name: "IX_Representations_RepresentativeId_State",
                table: "Representations",
                columns: new[] { "RepresentativeId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_Representations_RepresentativeNric_State",
                table: "Representations",
                columns: new[] { "RepresentativeNric", "State" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Representations");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Representative",
                table: "AuditEvents");
        }
    }
}
