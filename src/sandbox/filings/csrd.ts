// CSRD sustainability statement as an XBRL report package (Report Packages 1.0, inline XBRL ".xbri"):
//
//   <root>/META-INF/reportPackage.json   {"documentInfo":{"documentType":"https://xbrl.org/report-package/2023/xbri"}}
//   <root>/reports/<name>.xhtml          inline XBRL 1.1: ix:header with the schemaRef to the ESRS taxonomy entry point,
//                                        contexts identified by the LEI (scheme http://standards.iso.org/iso/17442),
//                                        units, and ESRS E1-6 GHG emission facts tagged in the visible table.
//
// The spec requires a single top-level directory in the ZIP; `<root>` is `<LEI>-<year>-esrs`.
// The concept names follow the ESRS Set 1 taxonomy's naming; the sandbox's figures are simulated.
import { strToU8, zipSync } from 'fflate';
import { hashOf } from '../tenant-data.js';

export const REPORT_PACKAGE_TYPE = 'https://xbrl.org/report-package/2023/xbri';
export const ESRS_ENTRY_POINT = 'https://xbrl.efrag.org/taxonomy/esrs/2023-12-22/esrs_all.xsd';
export const ESRS_NAMESPACE = 'https://xbrl.efrag.org/taxonomy/esrs/2023-12-22';
export const LEI_SCHEME = 'http://standards.iso.org/iso/17442';

export interface CsrdFact {
  concept: string;
  label: string;
  value: number;
  unit: 'tCO2e' | 'MWh';
}

export interface CsrdReport {
  lei: string;
  entityName: string;
  year: number;
  facts: CsrdFact[];
}


/** E1-5 energy and E1-6 GHG figures, deterministic per tenant, LEI and year; totals add up. */
export function buildCsrdReport(args: { tenant: string; lei: string; year: number }): CsrdReport {
  const h = hashOf(`${args.tenant}|${args.lei}|${args.year}`);
  const scope1 = 8_000 + (h % 4_000);
  const scope2Location = 5_000 + ((h >>> 4) % 3_000);
  const scope2Market = Math.round(scope2Location * 0.6);
  const scope3 = 60_000 + ((h >>> 8) % 30_000);
  const energy = 40_000 + ((h >>> 12) % 20_000);
  const name = args.tenant.charAt(0).toUpperCase() + args.tenant.slice(1);
  return {
    lei: args.lei,
    entityName: `${name} Group SE`,
    year: args.year,
    facts: [
      { concept: 'esrs:EnergyConsumptionRelatedToOwnOperations', label: 'Total energy consumption', value: energy, unit: 'MWh' },
      { concept: 'esrs:GrossScope1GreenhouseGasEmissions', label: 'Gross Scope 1 GHG emissions', value: scope1, unit: 'tCO2e' },
      { concept: 'esrs:GrossLocationBasedScope2GreenhouseGasEmissions', label: 'Gross location-based Scope 2 GHG emissions', value: scope2Location, unit: 'tCO2e' },
      { concept: 'esrs:GrossMarketBasedScope2GreenhouseGasEmissions', label: 'Gross market-based Scope 2 GHG emissions', value: scope2Market, unit: 'tCO2e' },
      { concept: 'esrs:GrossScope3GreenhouseGasEmissions', label: 'Gross Scope 3 GHG emissions', value: scope3, unit: 'tCO2e' },
      { concept: 'esrs:TotalGHGEmissionsLocationBased', label: 'Total GHG emissions (location-based)', value: scope1 + scope2Location + scope3, unit: 'tCO2e' },
      { concept: 'esrs:TotalGHGEmissionsMarketBased', label: 'Total GHG emissions (market-based)', value: scope1 + scope2Market + scope3, unit: 'tCO2e' },
    ],
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The inline XBRL document (XHTML) of the report. */
export function toInlineXbrl(report: CsrdReport): string {
  const ctx = `FY${report.year}`;
  const rows = report.facts
    .map(
      (f) =>
        `        <tr><td>${escapeXml(f.label)}</td><td class="num"><ix:nonFraction name="${f.concept}" contextRef="${ctx}" ` +
        `unitRef="${f.unit}" decimals="0" format="ixt:num-dot-decimal">${f.value.toLocaleString('en-US')}</ix:nonFraction></td>` +
        `<td>${f.unit}</td></tr>`,
    )
    .join('\n');
  const title = `${escapeXml(report.entityName)} – Sustainability statement ${report.year}`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:ix="http://www.xbrl.org/2013/inlineXBRL"
      xmlns:ixt="http://www.xbrl.org/inlineXBRL/transformation/2020-02-12" xmlns:xbrli="http://www.xbrl.org/2003/instance"
      xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink"
      xmlns:utr="http://www.xbrl.org/2009/utr" xmlns:esrs="${ESRS_NAMESPACE}" xml:lang="en">
  <head>
    <meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>
    <title>${title}</title>
  </head>
  <body>
    <div style="display:none">
      <ix:header>
        <ix:references>
          <link:schemaRef xlink:type="simple" xlink:href="${ESRS_ENTRY_POINT}"/>
        </ix:references>
        <ix:resources>
          <xbrli:context id="${ctx}">
            <xbrli:entity><xbrli:identifier scheme="${LEI_SCHEME}">${report.lei}</xbrli:identifier></xbrli:entity>
            <xbrli:period><xbrli:startDate>${report.year}-01-01</xbrli:startDate><xbrli:endDate>${report.year}-12-31</xbrli:endDate></xbrli:period>
          </xbrli:context>
          <xbrli:context id="${ctx}_end">
            <xbrli:entity><xbrli:identifier scheme="${LEI_SCHEME}">${report.lei}</xbrli:identifier></xbrli:entity>
            <xbrli:period><xbrli:instant>${report.year}-12-31</xbrli:instant></xbrli:period>
          </xbrli:context>
          <xbrli:unit id="tCO2e"><xbrli:measure>utr:tCO2e</xbrli:measure></xbrli:unit>
          <xbrli:unit id="MWh"><xbrli:measure>utr:MWh</xbrli:measure></xbrli:unit>
        </ix:resources>
      </ix:header>
    </div>
    <h1>${title}</h1>
    <p>LEI ${report.lei}. Reporting period ${report.year}-01-01 to ${report.year}-12-31.</p>
    <h2>ESRS E1 Climate change – E1-5 Energy, E1-6 Gross Scopes 1, 2, 3 and total GHG emissions</h2>
    <table>
      <thead><tr><th>Disclosure</th><th>Value</th><th>Unit</th></tr></thead>
      <tbody>
${rows}
      </tbody>
    </table>
  </body>
</html>
`;
}

/** Folder at the top of the ZIP and the report's file stem. */
export function csrdPackageRoot(report: CsrdReport): string {
  return `${report.lei}-${report.year}-esrs`;
}

/** The report package (a ZIP) with its META-INF/reportPackage.json and reports/<name>.xhtml. */
export function buildCsrdPackage(report: CsrdReport, mtime: Date): Uint8Array {
  const root = csrdPackageRoot(report);
  const packageJson = JSON.stringify({ documentInfo: { documentType: REPORT_PACKAGE_TYPE } }, null, 2) + '\n';
  return zipSync(
    {
      [`${root}/META-INF/reportPackage.json`]: strToU8(packageJson),
      [`${root}/reports/${root}.xhtml`]: strToU8(toInlineXbrl(report)),
    },
    { mtime },
  );
}
