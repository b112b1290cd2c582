"""Every string of the web page, in Korean and English (the chat's own are in `bot.core.texts`)."""

from __future__ import annotations

from content.schema import Lang

_TEXTS: dict[str, tuple[str, str]] = {
    "title": ("quizmaster 팀 페이지", "quizmaster team page"),
    "nav_channel": ("채널", "Channel"),
    "nav_me": ("나", "Me"),
    "nav_questions": ("질문 은행", "Questions"),
    "sign_out": ("로그아웃", "Sign out"),
    "language": ("언어", "Language"),
    "home_head": ("로그인이 필요해요", "Please sign in"),
    "home_body": (
        "채팅에서 <code>/quiz web</code>을 입력하면 나만 볼 수 있는 로그인 링크를 "
        "받아요. 링크는 15분 동안 "
        "한 번만 쓸 수 있어요.",
        "Type <code>/quiz web</code> in the chat: the bot sends you a sign-in link only you "
        "can see. The "
        "link works once, within 15 minutes.",
    ),
    "signin_head": ("로그인", "Sign in"),
    "signin_body": (
        "{channel} 채널의 팀 페이지로 들어갑니다.",
        "You are signing in to the team page of channel {channel}.",
    ),
    "signin_button": ("로그인", "Sign in"),
    "link_bad": (
        "이 링크는 만료되었거나, 이미 쓰였거나, 올바르지 않아요. "
        "채팅에서 <code>/quiz web</code>으로 새 "
        "링크를 받으세요.",
        "This link has expired, was already used, or is not valid. Type <code>/quiz web</code> "
        "in the chat "
        "for a new one.",
    ),
    "too_many": (
        "로그인 시도가 너무 많아요. 잠시 후 다시 해 주세요.",
        "Too many sign-in attempts. Please wait a minute and try again.",
    ),
    "forbidden": (
        "이 페이지를 볼 수 없어요. "
        "이 채널에서 <code>/quiz web</code>으로 받은 링크로 로그인하세요.",
        "You cannot see this page. Sign in with a link from <code>/quiz web</code> in this "
        "channel.",
    ),
    "admin_only": (
        "채널 관리자만 볼 수 있는 페이지예요.",
        "Only channel admins can see this page.",
    ),
    "csrf_bad": (
        "양식이 만료되었어요. 페이지를 새로 고친 뒤 다시 해 주세요.",
        "The form has expired. Reload the page and try again.",
    ),
    "not_found": ("페이지를 찾을 수 없어요.", "Page not found."),
    "bad_request": ("주소가 올바르지 않아요.", "This address is not valid."),
    "form_too_big": (
        "양식의 한 칸이 1 MB보다 커서 읽지 않았어요. 아무것도 저장하지 않았어요.",
        "A form field is larger than 1 MB, so the form was not read. Nothing was saved.",
    ),
    "form_unreadable": (
        "양식을 읽을 수 없었어요. 아무것도 저장하지 않았어요. "
        "페이지를 새로 고친 뒤 다시 해 주세요.",
        "The form could not be read. Nothing was saved. Reload the page and try again.",
    ),
    "leaderboard": ("리더보드", "Leaderboard"),
    "period_week": ("최근 7일", "Last 7 days"),
    "period_month": ("최근 30일", "Last 30 days"),
    "period_all": ("전체 기간", "All time"),
    "rank": ("순위", "Rank"),
    "member": ("멤버", "Member"),
    "points": ("점수", "Points"),
    "answers": ("답변", "Answers"),
    "days_answered": ("참여일", "Days"),
    "streak": ("연속", "Streak"),
    "board_empty": ("이 기간에는 아직 답변이 없어요.", "No answers in this period yet."),
    "board_chart": (
        "리더보드 막대 그래프 ({period}). 같은 내용이 아래 표에 있어요.",
        "Leaderboard bar chart ({period}). The table below holds the same figures.",
    ),
    "recent": ("최근 14일의 질문", "Questions of the last 14 days"),
    "recent_empty": ("최근 14일에 올라온 질문이 없어요.", "No questions in the last 14 days."),
    "day": ("날짜", "Day"),
    "question": ("질문", "Question"),
    "mean": ("평균", "Mean"),
    "members": ("참여 멤버", "Members"),
    "best": ("최고", "Best"),
    "summary": (
        "답변 {answers}개 · 멤버 {members}명 · 평균 {mean:.0f}점 · 최고 {best} ({score}점)",
        "answers: {answers} · members: {members} · mean {mean:.0f} · best: {best} ({score})",
    ),
    "summary_none": ("아직 답변이 없어요.", "No answers yet."),
    "shared_answer": (
        "함께 보는 답 · {name} ({score}점): {text}",
        "Shared answer · {name} ({score}): {text}",
    ),
    "reference": ("모범 답안", "Reference answer"),
    "key_concepts": ("핵심 개념", "Key concepts"),
    "misconception": ("흔한 오해", "Misconception"),
    "reference_hidden": (
        "모범 답안은 공개(<code>/quiz reveal</code>) 후에 보여요.",
        "The reference answer is shown after the reveal (<code>/quiz reveal</code>).",
    ),
    "extra": ("추가 질문", "extra"),
    "me_head": ("{name}님의 기록", "{name}'s record"),
    "me_streak": ("연속 참여 {streak}일", "Streak (scheduled days in a row): {streak}"),
    "scores_over_time": ("날짜별 점수", "Scores over time"),
    "scores_chart": (
        "날짜별 채널 점수 선 그래프. 같은 내용이 아래 표에 있어요.",
        "Line chart of channel points per day. The table below holds the same figures.",
    ),
    "no_scores": ("아직 채널에서 답한 적이 없어요.", "You have not answered in this channel yet."),
    "total": ("합계", "Total"),
    "mastery": ("주제별 숙련도 (FSRS)", "Mastery per topic (FSRS)"),
    "mastery_explain": (
        "30일 뒤 복습 없이 받을 것으로 예상되는 점수. 괄호 안은 본 카드 수/주제의 질문 수.",
        "The score you can expect 30 days from now without review. In brackets: cards seen of "
        "the topic's questions.",
    ),
    "mastery_chart": (
        "주제별 숙련도 막대 그래프. 같은 내용이 아래 표에 있어요.",
        "Bar chart of mastery per topic. The table below holds the same figures.",
    ),
    "topic": ("주제", "Topic"),
    "cards_seen": ("본 카드", "Cards seen"),
    "not_started": ("시작 전", "not started"),
    "due_cards": ("지금 복습할 카드", "Practice cards due now"),
    "due_none": ("지금 복습할 카드가 없어요.", "No practice cards are due now."),
    "due_how": (
        "채팅에서 <code>/quiz practice</code>로 복습하세요.",
        "Practise them with <code>/quiz practice</code> in the chat.",
    ),
    "due_since": ("복습 시점", "Due since"),
    "my_answers": ("내 답변 ({count}개)", "My answers ({count})"),
    "my_answer": ("내 답변", "My answer"),
    "grade": ("점수", "Grade"),
    "covered": ("다룬 개념", "Covered"),
    "missed": ("빠진 개념", "Missed"),
    "verdict_correct": ("정답", "correct"),
    "verdict_mostly_correct": ("거의 정답", "mostly correct"),
    "verdict_partial": ("부분 정답", "partially correct"),
    "verdict_incorrect": ("오답", "incorrect"),
    "verdict_no_answer": ("답 없음", "no answer"),
    "verdict_acknowledged": ("참여 확인", "acknowledged"),
    "questions_head": ("질문 은행", "Question bank"),
    "search": ("검색", "Search"),
    "search_label": ("질문 id나 내용", "Question id or text"),
    "all_topics": ("모든 주제", "All topics"),
    "questions_count": ("질문 {count}개", "Questions found: {count}"),
    "asked": ("출제", "Asked"),
    "most_missed": ("자주 빠진 개념", "Most often missed"),
    "followup_of": ("{parent}의 후속 질문", "follow-up of {parent}"),
    "none": ("-", "-"),
    "signed_in_as": ("{name} · {channel}", "{name} · {channel}"),
    "admin": ("관리자", "admin"),
    "nav_appeals": ("이의 신청", "Appeals"),
    "nav_groups": ("답 묶음", "Answer groups"),
    "nav_open": ("열린 질문", "Open questions"),
    "open_head": ("열린 질문", "Open questions"),
    "open_intro": (
        "모범 답안 없이 가져온 질문이에요. <code>/quiz now &lt;id&gt;</code>로 올리면 답을 "
        "모아 두고, 여기서 좋은 답을 골라 모범 답안을 정하면 모아 둔 답을 채점해 스레드로 "
        "알려요.",
        "Questions imported without a model answer. Post one with <code>/quiz now "
        "&lt;id&gt;</code> and its answers are kept; pick the best of them here into the model "
        "answer, and the kept answers are graded and their members told in the thread.",
    ),
    "open_none": ("열린 질문이 없어요.", "No open questions."),
    "open_done": (
        "{id}의 모범 답안을 저장했어요. 모아 둔 답 {graded}개를 채점해 채팅으로 알려요.",
        "Saved the model answer of {id}. {graded} kept answers were graded; their members are "
        "told in the chat.",
    ),
    "open_question_head": ("열린 질문 {id}", "Open question {id}"),
    "open_post_hint": (
        "채팅에서 <code>/quiz now {id}</code>로 올려 답을 모아요.",
        "Post it in the chat with <code>/quiz now {id}</code> to collect answers.",
    ),
    "open_pick": (
        "모범 답안으로 쓸 답 고르기 (공유에 동의한 사람만 이름이 보여요)",
        "Pick answers for the model answer (names shown for members who share their answers)",
    ),
    "open_anonymous": ("공유하지 않는 멤버", "a member who does not share"),
    "open_compose": ("고른 답으로 초안 만들기", "Draft from the picked answers"),
    "open_no_answers": ("아직 모아 둔 답이 없어요.", "No answers kept yet."),
    "open_model_label": (
        "모범 답안 (최대 {limit}자, 고쳐 써도 돼요)",
        "Model answer (at most {limit} characters; edit freely)",
    ),
    "open_model_lang": ("모범 답안의 언어", "Language of the model answer"),
    "open_save": ("모범 답안 저장하고 채점하기", "Save the model answer and grade"),
    "open_model_empty": ("모범 답안을 적어 주세요.", "Write the model answer."),
    "open_model_refused": (
        "이 모범 답안으로는 질문을 준비할 수 없어요: {reason}",
        "This model answer cannot make the question ready: {reason}",
    ),
    "open_model_too_long": (
        "모범 답안은 {limit}자까지예요.",
        "The model answer may have at most {limit} characters.",
    ),
    "open_unknown": ("그런 열린 질문이 없어요.", "There is no such open question."),
    "open_model_taken": (
        "다른 관리자가 이 질문의 모범 답안을 먼저 저장했어요. 적은 답안은 저장하지 않았어요.",
        "Another admin saved this question's model answer first; yours was not saved.",
    ),
    "open_model_waiting": (
        "모범 답안을 저장했어요. 채점 서버가 지금 응답하지 않아 모아 둔 답은 아직 채점하지 "
        "않았고, 채점할 때까지 질문은 열린 질문으로 남아요. 서버가 돌아오면 봇이 이 답안으로 "
        "채점해요.",
        "The model answer is saved. The grading server is not answering now, so the kept "
        "answers are not graded yet, and the question stays open until they are: the bot "
        "grades them against this model answer once the server is back.",
    ),
    "open_model_saved": (
        "모범 답안이 저장되어 있어요 ({by}, {at}). 모아 둔 답을 이 답안으로 채점할 때까지 "
        "질문은 열린 질문으로 남아요:",
        "A model answer is saved ({by}, {at}); the question stays open until the kept answers "
        "are graded against it:",
    ),
    "open_answer_foreign": (
        "이 채널의 이 질문에 모아 둔 답이 아니에요.",
        "Those are not answers kept for this question in this channel.",
    ),
    "groups_head": ("답 묶음 채점", "Answer groups"),
    "groups_intro": (
        "질문마다 뜻이 같은 답을 묶었어요. 묶음 하나를 한 번에 채점하고, <b>적용</b>을 눌러야 "
        "점수가 바뀌고 점수가 바뀐 사람에게 질문 스레드로 알려요.",
        "Each question's answers, grouped by meaning. Grade a whole group at once; scores "
        "change only when you press <b>Apply</b>, and each member whose score changes is told "
        "in the question's thread.",
    ),
    "groups_questions_none": ("아직 답이 없어요.", "No answers yet."),
    "teach_head": ("채점해서 채점기 가르치기", "Grade these to teach the grader"),
    "teach_intro": (
        "팀이 아직 채점하지 않은 묶음 {count}개 가운데 큰 것부터예요 (크기가 같으면 점수가 "
        "가장 엇갈린 것부터). 대표 답 하나를 채점하면 비슷한 답 모두의 근거가 돼요.",
        "{count} groups of answers have no team grade yet; the largest come first (and, of "
        "equal size, the ones graded least consistently). A grade of one representative "
        "answer speaks for every answer like it.",
    ),
    "teach_none": (
        "팀이 채점하지 않은 묶음이 없어요.",
        "Every group of answers has a team grade.",
    ),
    "teach_open": ("채점하러 가기", "Grade it"),
    "groups_answers_head": ("답", "Answers"),
    "groups_answers": ("답 {count}개", "{count} answers"),
    "groups_human": ("사람이 채점 {count}개", "{count} graded by the team"),
    "groups_staged_count": ("적용 대기 {count}개", "{count} waiting to apply"),
    "group_of": ("{size}명의 답 · 점수 {low}-{high}", "{size} answers · scores {low}-{high}"),
    "group_one": ("답 1개 · 점수 {low}", "1 answer · score {low}"),
    "group_representative": ("대표 답", "Representative answer"),
    "group_members": ("묶음의 답 모두 보기", "All answers in this group"),
    "group_grade_label": ("이 묶음 점수 (0-100)", "Score for this group (0-100)"),
    "group_grade_one_label": ("이 답 점수 (0-100)", "Score for this answer (0-100)"),
    "group_grade": ("묶음 채점", "Grade group"),
    "group_grade_one": ("이 답만 채점", "Grade this answer"),
    "group_staged_mark": ("적용 대기: {score}점", "to apply: {score}"),
    "group_human_mark": ("팀이 채점함", "graded by the team"),
    "groups_staged_head": ("적용 대기 중인 점수", "Grades waiting to apply"),
    "groups_staged_line": (
        "{name}: {old}점 → {new}점",
        "{name}: {old} → {new}",
    ),
    "groups_apply": ("점수 적용하고 알리기", "Apply grades and tell members"),
    "groups_discard": ("적용 대기 취소", "Discard waiting grades"),
    "groups_staged_done": (
        "답 {count}개에 점수를 매겼어요. 적용을 눌러야 바뀌어요.",
        "Graded {count} answers. Press Apply to change their scores.",
    ),
    "groups_applied_done": (
        "점수 {applied}개를 적용했어요. 점수가 바뀐 {told}명에게 채팅으로 알려요.",
        "Applied {applied} grades. {told} members whose score changed are told in the chat.",
    ),
    "groups_discarded_done": ("적용 대기 점수를 지웠어요.", "Discarded the waiting grades."),
    "group_score_bad": (
        "점수는 0에서 100 사이의 정수여야 해요.",
        "The score must be a whole number from 0 to 100.",
    ),
    "group_answer_foreign": (
        "이 채널의 이 질문에 대한 답이 아니에요.",
        "Those are not this channel's answers to this question.",
    ),
    "groups_unavailable": (
        "임베딩 서버가 지금 답하지 않아 답을 묶을 수 없어요. 잠시 뒤에 다시 열어 주세요.",
        "The embedding server is not answering, so the answers cannot be grouped now. Try "
        "again in a minute.",
    ),
    "appeals_head": ("이의 신청 대기열", "Appeals waiting"),
    "appeals_none": ("기다리는 이의 신청이 없어요.", "No appeals are waiting."),
    "appeals_figures": (
        "최근 {weeks}주: 이의 {opened}건 (주당 {per_week}건), 처리 {resolved}건, "
        "그중 점수가 바뀐 것 {changed}건 ({share}%).",
        "Last {weeks} weeks: appeals {opened} ({per_week} per week), resolved {resolved}, "
        "of which changed the score {changed} ({share}%).",
    ),
    "appeal_done": (
        "이의 #{id}를 처리했어요. 본인에게 채팅으로 알려요.",
        "Appeal #{id} resolved. The member is told in the chat.",
    ),
    "appeal_of": ("#{id} · {name} · {prompt}", "#{id} · {name} · {prompt}"),
    "appeal_reason": ("이유", "Reason"),
    "appeal_answer": ("답", "Answer"),
    "appeal_score": ("점수", "Score"),
    "appeal_new_score": (
        "새 점수 (0-100, 비우면 그대로)",
        "New score (0-100, empty keeps it)",
    ),
    "appeal_note_label": ("메모 (본인에게 보여요)", "Note (the member sees it)"),
    "appeal_resolve": ("처리", "Resolve"),
    "appeal_score_bad": (
        "새 점수는 0에서 100 사이의 정수여야 해요 (비우면 그대로).",
        "The new score must be a whole number from 0 to 100 (empty keeps it).",
    ),
    "appeal_unknown": ("이 채널에 그런 이의 신청이 없어요.", "This channel has no such appeal."),
    "appeal_answer_unknown": (
        "이 채널에 그런 내 답이 없어요.",
        "You have no such answer in this channel.",
    ),
    "appeal_exists": (
        "이 답에는 이미 이의를 제기했어요.",
        "You have already appealed this answer.",
    ),
    "appeal_this": ("이 채점에 이의 제기", "Appeal this grade"),
    "appeal_why": ("이유 (관리자가 봐요)", "Why (an admin reads it)"),
    "appeal_send": ("이의 제기", "Appeal"),
    "appeal_pending": (
        "이의를 제기했어요. 관리자가 확인하면 채팅으로 알려 드려요.",
        "Appealed: you will be told in the chat when an admin decides.",
    ),
    "appeal_opened_web": (
        "이의 #{id}를 접수했어요. 관리자가 확인하면 채팅으로 알려 드려요.",
        "Appeal #{id} opened. You will be told in the chat when an admin decides.",
    ),
    "appeal_resolved_before": (
        "이 이의 신청은 이미 처리됐어요.",
        "This appeal was resolved already.",
    ),
    "new_question": ("새 팀 질문 만들기", "Write a new team question"),
    "new_head": ("새 팀 질문", "New team question"),
    "edit_head": ("팀 질문 {id} 고치기", "Edit team question {id}"),
    "edit_question": ("이 질문 고치기", "Edit this question"),
    "edit_rules": (
        "<code>quizmaster content check</code>와 같은 검사를 거쳐 저장돼요 (팀 규칙: "
        "참고 답안은 한국어나 영어로 하나 이상).",
        "Saved after the same check as <code>quizmaster content check</code> (team rules: at "
        "least one reference answer, in Korean or English).",
    ),
    "field_id": ("id (영문 소문자, 숫자, . _ -)", "id (lowercase letters, digits, . _ -)"),
    "field_topics": ("주제 (쉼표로 구분)", "Topics (comma-separated)"),
    "field_text_ko": ("질문 (한국어)", "Question (Korean)"),
    "field_text_en": ("질문 (영어)", "Question (English)"),
    "field_reference_ko": ("참고 답안 (한국어)", "Reference answer (Korean)"),
    "field_reference_en": ("참고 답안 (영어)", "Reference answer (English)"),
    "field_concepts": (
        "핵심 개념 (선택, 한 줄에 하나: id | 한국어 | English | 동의어; 동의어)",
        "Key concepts (optional, one per line: id | 한국어 | English | synonym; synonym)",
    ),
    "field_misconceptions": (
        "흔한 오해 (선택, 한 줄에 하나, ko: 또는 en:으로 시작)",
        "Misconceptions (optional, one per line, starting with ko: or en:)",
    ),
    "field_reviewed": (
        "초안 핵심 개념을 모두 검토했어요 (표시를 지워요)",
        "I have reviewed the drafted key concepts (clears their mark)",
    ),
    "drafted_badge": ("초안 · 검토 필요", "drafted — review"),
    "drafted_count": (
        "핵심 개념 초안 {count}개 · 검토 필요",
        "drafted key concepts: {count} — review",
    ),
    "drafted_hint_list": (
        "초안 표시가 있는 질문의 핵심 개념은 노트 가져오기가 모범 답안에서 뽑은 거예요. 질문을 "
        "열어 확인하세요.",
        "Questions marked drafted have key concepts the notes import drafted from the model "
        "answer: open each one to review them.",
    ),
    "drafted_hint_edit": (
        "초안 표시가 있는 핵심 개념은 모범 답안에서 뽑은 초안이에요. <b>이 질문 고치기</b>에서 "
        "틀린 것은 고치거나 지우고, 맞으면 <b>검토했어요</b>에 체크해 저장하세요.",
        "Key concepts marked drafted were drafted from the model answer: on <b>Edit this "
        "question</b>, fix or delete the wrong ones, tick <b>reviewed</b> if they are right, and "
        "save.",
    ),
    "drafted_hint_file": (
        "초안 표시가 있는 핵심 개념은 모범 답안에서 뽑은 초안이에요. 은행 파일에서 확인하고 "
        "<code>drafted: true</code>를 지우세요 (<code>quizmaster content check</code>가 "
        "목록을 보여 줘요).",
        "Key concepts marked drafted were drafted from the model answer: review them in the bank "
        "file and delete <code>drafted: true</code> (<code>quizmaster content check</code> lists "
        "them).",
    ),
    "drafted_hint_form": (
        "표시된 핵심 개념은 모범 답안에서 뽑은 초안이에요. 위에서 줄을 고치면 그 개념은 검토한 "
        "것으로 저장돼요. 나머지가 그대로 맞으면 <b>검토했어요</b>에 체크하세요. 아니면 초안 "
        "표시가 남아요.",
        "The key concepts marked here were drafted from the model answer. A line you change "
        "above is saved as reviewed; if the others are right as they are, tick <b>reviewed</b>, "
        "or they stay marked drafted.",
    ),
    "drafted_hint_import": (
        "초안 표시가 있는 핵심 개념은 노트에 <code>Keyword:</code> 줄이 없어 모범 답안에서 "
        "뽑은 거예요. 표시된 채로 저장되니, 저장한 뒤 각 질문의 고치기 페이지에서 검토하세요.",
        "Key concepts marked drafted were drafted from the answer, since the notes give no "
        "<code>Keyword:</code> line; they are saved marked: review them on each question's edit "
        "page after saving.",
    ),
    "save_question": ("저장", "Save"),
    "try_draft_button": ("저장하지 않고 채점해 보기", "Grade it without saving"),
    "try_head": ("채점기 시험", "Try the grader"),
    "why_head": ("이 점수가 나온 이유", "Why this score"),
    "why_head_used": ("채점 방식", "Head"),
    "why_link": ("점수 계산", "Score"),
    "why_feature": ("특징", "Feature"),
    "why_value": ("값", "Value"),
    "why_contribution": ("기여", "Contribution"),
    "why_no_head": (
        "가드레일이나 열린 질문 규칙이 점수를 정했어요",
        "A guardrail or the open-question rule decided the score",
    ),
    "why_evidence": ("답에서 찾은 핵심 개념", "Where the answer names each covered concept"),
    "why_flags": ("적용된 규칙", "Rules that fired"),
    "why_cap": ("점수 상한", "Score cap"),
    "try_label": ("답변 (저장되지 않아요)", "An answer (nothing is saved)"),
    "try_button": ("채점해 보기", "Grade it"),
    "try_empty": ("답변을 적어 주세요.", "Write an answer first."),
    "try_too_big": (
        "답변이 너무 길어 채점하지 않았어요. 채점기는 4000자까지 읽어요.",
        "The answer is too long to grade: the grader reads at most 4000 characters.",
    ),
    "try_unavailable": (
        "채점 서버가 지금 응답하지 않아요. 잠시 후 다시 해 주세요.",
        "The grading server is not answering now. Try again in a moment.",
    ),
    "try_off": (
        "이 웹 페이지에는 채점기가 연결되어 있지 않아요.",
        "No grader is connected to this web page.",
    ),
    "feedback": ("피드백", "Feedback"),
    "guidance": ("안내", "Guidance"),
    "back_to_bank": ("질문 은행으로", "Back to the question bank"),
    "notes_import": ("노트 가져오기", "Import notes"),
    "notes_head": ("스터디 노트 가져오기", "Import study notes"),
    "notes_rules": (
        "스터디 노트를 붙여 넣으세요. 번호 매긴 질문(<code>1.</code>)과 <code>+</code> 후속 "
        "질문, <code>A.</code> 답 목록이나, <code>## 질문</code> 제목 아래 "
        "<code>Keyword:</code>와 <code>Answer:</code> 줄로 쓴 노트를 읽어요. "
        "<code>오해:</code> 줄은 그 질문의 흔한 오해가 돼요 "
        "(<code>quizmaster content import notes</code>와 같은 형식). 미리 보기는 만들어질 "
        "질문을 모두 보여 주고, 저장하면 답이 있는 질문을 "
        "<code>quizmaster content check</code>와 같은 검사를 거쳐 이 채널의 팀 질문으로 저장하고, "
        "답이 없는 질문은 열린 질문으로 저장해요. 문제가 하나라도 있으면 아무것도 저장하지 "
        "않아요.",
        "Paste study notes: numbered questions (<code>1.</code>) with <code>+</code> follow-ups "
        "and <code>A.</code> answer lists, or <code>## question</code> headings with "
        "<code>Keyword:</code> and <code>Answer:</code> lines; a <code>Misconception:</code> "
        "(<code>오해:</code>) line is a wrong claim about its question (the layouts of "
        "<code>quizmaster content import notes</code>). Preview shows every question it would "
        "create; Save stores the ones with an answer as this channel's team questions, after the "
        "same check as <code>quizmaster content check</code>, and a question without one as an "
        "open question. Nothing is saved while there is a problem.",
    ),
    "field_notes_name": (
        "이름 (질문 id의 앞부분이자 주제)",
        "Name (the questions' id prefix and topic)",
    ),
    "field_notes": ("노트 (최대 {limit}자)", "Notes (at most {limit} characters)"),
    "notes_preview_button": ("미리 보기", "Preview"),
    "notes_save_button": ("저장", "Save"),
    "notes_line": ("{line}번째 줄", "line {line}"),
    "notes_preview_head": (
        "미리 보기: 저장할 질문 {ready}개, 열린 질문 {open}개, 답을 기다리는 질문 {waiting}개",
        "Preview: to save {ready}, open questions {open}, waiting {waiting}",
    ),
    "notes_problems": (
        "고칠 문제 {count}개 (모두 고치기 전에는 저장되지 않아요)",
        "Problems to fix: {count} (nothing is saved until none is left)",
    ),
    "notes_open": (
        "열린 질문으로 저장: 아직 답이 없어요. 채팅에서 <code>/quiz now {id}</code>로 올려 답을 "
        "모으고, 열린 질문 페이지에서 그 답으로 모범 답안을 정하세요",
        "Saved as an open question, without a model answer: post it with <code>/quiz now "
        "{id}</code> to collect answers, then write its model answer from them on the Open "
        "questions page",
    ),
    "notes_waiting_answer": (
        "답을 기다리는 중, 저장 안 됨: 질문 아래에 답을 적고 (<code>A.</code> 목록이나 "
        "<code>Answer:</code> 줄) 다시 가져오세요",
        "Waiting, not saved: add its answer under it (an <code>A.</code> list or an "
        "<code>Answer:</code> line) and import it again",
    ),
    "notes_waiting_main": (
        "답을 기다리는 중, 저장 안 됨: 본 질문에 아직 답이 없어요. 본 질문의 답을 적고 다시 "
        "가져오세요",
        "Waiting, not saved: its main question has no answer yet; add that answer and import "
        "them again",
    ),
    "notes_skipped": ("가져오지 않은 부분", "Not imported"),
    "notes_saved": (
        "팀 질문 {count}개를 저장했어요. <code>/quiz now &lt;id&gt;</code>로 바로 올릴 수 있어요.",
        "Saved as team questions: {count}. <code>/quiz now &lt;id&gt;</code> posts one now.",
    ),
    "notes_too_big": (
        "노트가 {limit}자보다 길어요. 몇 부분으로 나눠서 가져오세요.",
        "The notes are longer than {limit} characters; import them in parts.",
    ),
    "notes_taken": (
        "아무것도 저장하지 않았어요. 그사이 다른 관리자가 같은 이름으로 질문을 저장했어요. "
        "다른 이름으로 가져오세요.",
        "Nothing was saved: another admin saved questions under this name meanwhile; import "
        "the notes under another name.",
    ),
    "question_taken": (
        "아무것도 저장하지 않았어요. 이 질문을 연 뒤에 다른 관리자가 먼저 저장했어요. 페이지를 "
        "새로 고쳐 그 내용을 보고 다시 고쳐 주세요.",
        "Nothing was saved: another admin saved this question after you opened it. Reload "
        "the page to see their version, then edit it again.",
    ),
    "notes_not_saved": (
        "아무것도 저장하지 않았어요. 아래 문제를 고치고 다시 저장하세요.",
        "Nothing was saved: fix the problems below and save again.",
    ),
    "notes_saved_open": (
        "열린 질문 {count}개를 저장했어요. 올려서 답을 모은 뒤 열린 질문 페이지에서 모범 답안을 "
        "정하세요.",
        "Saved as open questions: {count}. Post one to collect answers, then write its model "
        "answer on the Open questions page.",
    ),
}


def template(lang: Lang, key: str) -> str:
    """The text before its values are filled in; it may hold markup (`<code>`), values never:
    the pages fill it with `markupsafe.Markup.format`, which escapes them."""
    ko, en = _TEXTS[key]
    return en if lang == "en" else ko


def text(lang: Lang, key: str, **values: object) -> str:
    """The plain text, for attributes and chart titles (no markup in the keys they use)."""
    return template(lang, key).format(**values)


def keys() -> list[str]:
    return list(_TEXTS)
