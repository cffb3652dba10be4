using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CareLoop.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TicketSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "TicketSearch",
                columns: table => new
                {
                    TicketId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<long>(type: "INTEGER", nullable: false),
                    Tokens = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TicketSearch", x => x.TicketId);
                    table.ForeignKey(
                        name: "FK_TicketSearch_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_TicketSearch_Number",
                table: "TicketSearch",
                column: "Number",
                unique: true);

            // The full-text index (ADR 13): FTS5 over the space-separated tokens, external content read from
            // "TicketSearch" with the ticket number as rowid (results come back newest first straight from the
            // index). detail=none: only which rows hold a term, which is all an AND of single tokens needs.
            // The triggers keep it in step with every insert, upsert and delete of a document.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "TicketSearchFts" USING fts5("Tokens", content='TicketSearch', content_rowid='Number', tokenize='ascii', detail=none);
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TicketSearch_ai" AFTER INSERT ON "TicketSearch" BEGIN
                    INSERT INTO "TicketSearchFts"(rowid, "Tokens") VALUES (new."Number", new."Tokens");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TicketSearch_ad" AFTER DELETE ON "TicketSearch" BEGIN
                    INSERT INTO "TicketSearchFts"("TicketSearchFts", rowid, "Tokens") VALUES ('delete', old."Number", old."Tokens");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "TicketSearch_au" AFTER UPDATE ON "TicketSearch" BEGIN
                    INSERT INTO "TicketSearchFts"("TicketSearchFts", rowid, "Tokens") VALUES ('delete', old."Number", old."Tokens");
                    INSERT INTO "TicketSearchFts"(rowid, "Tokens") VALUES (new."Number", new."Tokens");
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TicketSearch_au";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TicketSearch_ad";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "TicketSearch_ai";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "TicketSearchFts";""");

            migrationBuilder.DropTable(
                name: "TicketSearch");
        }
    }
}
