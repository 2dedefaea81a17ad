-- :S3PolicyExplainError [field=value ...] [MESSAGE]: explains an
-- AccessDenied message the AWS CLI or an SDK printed, through the server's
-- s3policy.explainError: which statement of the workspace causes it, and
-- whether the workspace agrees with the layer AWS named. Without MESSAGE
-- it asks for it. The fields principal=, bucket=, key=, resource=,
-- copySource= and operation= give what the message does not say (the
-- caller and the object of a plain "Access Denied"); the server says
-- which are missing.
--
-- setup() is called by require('s3policy').setup with the helpers of
-- that module, so that both share the client lookup and the answer window.
local M = {}

M.COMMAND = 's3policy.explainError'
local FIELDS = { principal = true, bucket = true, key = true, resource = true, copySource = true, operation = true }

-- parse_args reads "[field=value ...] MESSAGE" into the command's argument.
function M.parse_args(text)
  local arg = {}
  local rest = vim.trim(text or '')
  while true do
    local field, value, after = rest:match('^(%w+)=(%S+)%s*(.*)$')
    if not field or not FIELDS[field] then
      break
    end
    arg[field] = value
    rest = after
  end
  arg.message = rest
  return arg
end

-- format turns the server's answer into lines, and the places (by line)
-- that <CR> opens. format_explanation is s3policy's, applied to each
-- request, whose fields are those of an explain answer.
function M.format(answer, format_explanation)
  local lines = { 'AWS: ' .. ((answer.aws or {}).message or ''), '' }
  local places = {}
  for _, r in ipairs(answer.requests or {}) do
    local req_lines, req_places = format_explanation(r, r)
    local offset = #lines
    for i, line in ipairs(req_lines) do
      if line == '' then
        break -- the hint that follows; one is added at the end
      end
      table.insert(lines, line)
      if req_places[i] then
        places[offset + i] = req_places[i]
      end
    end
  end
  table.insert(lines, '')
  table.insert(lines, ('%s: %s'):format(answer.agreement or '', answer.verdict or ''))
  if next(places) then
    table.insert(lines, '<CR> on a cause opens its statement; q closes')
  end
  return lines, places
end

function M.setup(helpers)
  local function run(arg, bufnr)
    local client = helpers.client_for(bufnr)
    if not client then
      vim.notify('s3policy: no s3policy-lsp server is running; open a policy file first', vim.log.levels.ERROR)
      return
    end
    local offered = ((client.server_capabilities or {}).executeCommandProvider or {}).commands or {}
    if not vim.tbl_contains(offered, M.COMMAND) then
      vim.notify('s3policy: this version of s3policy-lsp does not offer ' .. M.COMMAND, vim.log.levels.ERROR)
      return
    end
    helpers.request(client, 'workspace/executeCommand', { command = M.COMMAND, arguments = { arg } }, function(err, result)
      if err then
        local text = err.message or vim.inspect(err)
        if text:find('does not say', 1, true) then
          text = text .. '\nGive it before the message: :S3PolicyExplainError principal=ARN resource=arn:aws:s3:::BUCKET/KEY MESSAGE'
        end
        vim.notify('s3policy: ' .. text, vim.log.levels.ERROR)
        return
      end
      helpers.show(M.format(result, helpers.format_explanation))
    end, bufnr)
  end
  vim.api.nvim_create_user_command('S3PolicyExplainError', function(args)
    local bufnr = vim.api.nvim_get_current_buf()
    local arg = M.parse_args(args.args)
    if arg.message ~= '' then
      return run(arg, bufnr)
    end
    vim.ui.input({ prompt = 'AccessDenied message: ' }, function(text)
      if text and vim.trim(text) ~= '' then
        arg.message = vim.trim(text)
        run(arg, bufnr)
      end
    end)
  end, {
    nargs = '*',
    desc = 'Ask s3policy-lsp which statement causes an AccessDenied message (no arguments: prompt)',
  })
end

return M
