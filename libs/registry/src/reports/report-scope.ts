import type { ReportFilter } from '@ilr/persistence';
import { type AuthContext, Permission, roleMay } from '../access/access.policy.js';
import { DomainError } from '../common/errors.js';
import type { ReportFilterQuery } from './dto/report-filter.dto.js';

// A surgeon's reports cover only their own cases; other roles see every surgeon.
export function scopedFilter(auth: AuthContext, query: ReportFilterQuery): ReportFilter {
  if (!roleMay(auth.user.role, Permission.ReportAcrossSurgeons)) {
    if (query.surgeonId && query.surgeonId !== auth.user.id)
      throw DomainError.forbidden('Surgeons see reports on their own cases only.');
    return { ...query, surgeonId: auth.user.id };
  }
  return { ...query };
}

// The registry-wide filter: a surgeon's funnel and CUSUM compare with everyone's cases.
export function registryWide(filter: ReportFilter): ReportFilter {
  const { surgeonId: _surgeonId, ...rest } = filter;
  return rest;
}
